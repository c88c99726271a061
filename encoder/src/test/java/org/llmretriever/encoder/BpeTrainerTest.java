package org.llmretriever.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.Test;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.tokenize.BpeTrainer;
import org.llmretriever.encoder.tokenize.TextTokenizer;

import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class BpeTrainerTest {
    @Test
    public void trainedTokenizerRoundTripsAndMergesFrequentPairs() throws Exception {
        List<String> lines = Arrays.asList(RandomCheckpoints.SAMPLE_TEXT.split("\n"));
        String json = BpeTrainer.train(lines, 400, 2);
        assertEquals(json, BpeTrainer.train(lines, 400, 2)); // deterministic
        JsonNode root = new ObjectMapper().readTree(json);
        int vocab = root.path("model").path("vocab").size();
        assertTrue(vocab > 260 && vocab <= 400);
        assertEquals(vocab - 260, root.path("model").path("merges").size(), 5);
        try (TextTokenizer t = TextTokenizer.fromJson(json)) {
            for (String s : List.of("The river flows through the old town.", "Héllo wörld — 42 🙂\ttabs\nnewlines", "  spaces")) {
                long[] ids = t.encode(s, true);
                assertEquals(BpeTrainer.BOS_ID, ids[0]);
                assertEquals(s, t.decode(Arrays.copyOfRange(ids, 1, ids.length), true));
            }
            // frequent words become few tokens, rare byte sequences many
            assertTrue(t.encode(" the", false).length == 1);
            assertTrue(t.encode("🙂", false).length == 4);
            assertEquals(2, t.tokenId("</s>").getAsInt());
            try (TextTokenizer more = t.withSpecialTokens(List.of("<x1>", "<x2>"))) {
                assertEquals(t.vocabSize() + 2, more.vocabSize());
                long[] ids = more.encode("a <x1><x2>", false);
                assertArrayEquals(new long[] { t.vocabSize(), t.vocabSize() + 1 }, Arrays.copyOfRange(ids, ids.length - 2, ids.length));
            }
        }
    }
}
