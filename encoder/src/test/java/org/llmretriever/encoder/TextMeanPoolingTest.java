package org.llmretriever.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.model.TokenBatch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * {@code text_mean} pooling (LLM2Vec's {@code skip_instruction}): the mean over the text's own tokens, not BOS and not
 * the prompt, computed here independently from the model's hidden states.
 */
public class TextMeanPoolingTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    private static EncoderModel model;
    private static final String INSTRUCTION = "Given a web search query, retrieve relevant passages that answer the query: ";

    @BeforeClass
    public static void load() throws IOException {
        Path dir = RandomCheckpoints.write(tmp.newFolder("llama").toPath(), "llama", 61);
        model = EncoderModel.load(dir, EncoderOptions.defaults().withPooling(Pooling.TEXT_MEAN).withNormalize(false)
            .withPrompts(INSTRUCTION + "{text}", "").withAttention(EncoderOptions.Attention.BIDIRECTIONAL));
    }

    @AfterClass
    public static void close() {
        model.close();
    }

    /** Mean of the final hidden states of {@code ids} over positions [from, to), straight from the model. */
    private static float[] reference(long[] ids, int from, int to) {
        try (NDManager m = model.model().manager().newSubManager()) {
            TokenBatch.Inputs in = TokenBatch.of(List.of(ids), model.padId(), TokenBatch.PaddingSide.RIGHT).toArrays(m);
            NDArray h = model.model().forward(in.ids(), in.positions(), model.attentionMask(in.keyValid()));
            return h.get("0, " + from + ":" + to + ", :").mean(new int[] { 0 }).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    @Test
    public void queriesAverageOnlyTheTextAfterTheInstruction() {
        String text = "rivers and bridges of the old town";
        long[] ids = model.tokenize(text, Kind.QUERY, EncoderOptions.Truncation.TRUNCATE).ids();
        int n = model.tokenizer().encode(text, false).length;
        assertTrue("the instruction adds tokens", ids.length > n + model.specialPrefix().length + 5);
        float[] v = model.embed(List.of(text), Kind.QUERY).vectors()[0];
        assertArrayEquals(reference(ids, ids.length - n, ids.length), v, 1e-5f);
    }

    @Test
    public void passagesAverageEveryTokenButTheLeadingSpecialOnes() {
        String text = "cats sleep for most of the day";
        long[] ids = model.tokenize(text, Kind.PASSAGE, EncoderOptions.Truncation.TRUNCATE).ids();
        int skip = model.specialPrefix().length;
        float[] v = model.embed(List.of(text), Kind.PASSAGE).vectors()[0];
        assertArrayEquals(reference(ids, skip, ids.length), v, 1e-5f);
        EncoderModel plainMean = model.withOptions(model.options().withPooling(Pooling.MEAN), model.tokenizer());
        if (skip > 0) {
            float[] all = plainMean.embed(List.of(text), Kind.PASSAGE).vectors()[0];
            assertArrayEquals(reference(ids, 0, ids.length), all, 1e-5f);
        }
    }

    @Test
    public void batchedVectorsEqualSingleOnesAndTruncationKeepsTheSpanOnTheKeptText() {
        List<String> texts = List.of("a", "the committee approved the budget for the next year after a long debate", "cats");
        float[][] batch = model.embed(texts, Kind.QUERY).vectors();
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(model.embed(List.of(texts.get(i)), Kind.QUERY).vectors()[0], batch[i], 1e-5f);
        }
        EncoderModel shortModel = model.withOptions(model.options().withMaxTokens(70), model.tokenizer());
        String longText = RandomCheckpoints.SAMPLE_TEXT;
        EncoderModel.Tokenized t = shortModel.tokenize(longText, Kind.QUERY, EncoderOptions.Truncation.TRUNCATE);
        assertTrue(t.truncated());
        assertEquals(70, t.ids().length);
        int from = t.span()[0];
        assertEquals(70, t.span()[1]);
        assertEquals(model.specialPrefix().length + model.tokenizer().encode(INSTRUCTION, false).length, from);
        assertArrayEquals(reference(t.ids(), from, 70), shortModel.embed(List.of(longText), Kind.QUERY).vectors()[0], 1e-5f);
    }

    @Test
    public void parsesAndRefusesToPoolWithoutSpans() {
        assertEquals(Pooling.TEXT_MEAN, Pooling.parse("text_mean"));
        assertEquals("text_mean", Pooling.TEXT_MEAN.toString());
        List<long[]> seqs = List.of(model.tokenize("x y", Kind.PASSAGE, EncoderOptions.Truncation.TRUNCATE).ids());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.embedPrepared(seqs, 0));
        assertTrue(e.getMessage(), e.getMessage().startsWith("text_mean pooling needs each sequence's text span"));
    }
}
