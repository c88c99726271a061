package org.llmretriever.encoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.tokenize.BpeTrainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * Last-token pooling appends config.json's EOS unless the tokenizer's own template ends texts with a special token, as
 * Qwen3-Embedding's appends {@code <|endoftext|>} while its config names another EOS: then the template's token is last.
 */
public class EosTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void eosIsAppendedOnlyWhenTheTokenizerEndsTextsWithNothing() throws Exception {
        Path plain = RandomCheckpoints.write(tmp.newFolder("plain").toPath(), "qwen3", 71);
        try (EncoderModel m = EncoderModel.load(plain, EncoderOptions.defaults())) {
            long[] ids = m.tokenize("rivers", Kind.PASSAGE, EncoderOptions.Truncation.TRUNCATE).ids();
            assertTrue(m.appendsEos());
            assertEquals(BpeTrainer.EOS_ID, ids[ids.length - 1]);
        }
        Path templated = RandomCheckpoints.write(tmp.newFolder("templated").toPath(), "qwen3", 71);
        ObjectNode tok = (ObjectNode) JSON.readTree(templated.resolve("tokenizer.json").toFile());
        ObjectNode post = (ObjectNode) tok.get("post_processor");
        ((ArrayNode) post.get("single")).addObject().putObject("SpecialToken").put("id", "<pad>").put("type_id", 0);
        ObjectNode pad = ((ObjectNode) post.get("special_tokens")).putObject("<pad>");
        pad.put("id", "<pad>");
        pad.putArray("ids").add(BpeTrainer.PAD_ID);
        pad.putArray("tokens").add("<pad>");
        Files.writeString(templated.resolve("tokenizer.json"), tok.toString());
        try (EncoderModel m = EncoderModel.load(templated, EncoderOptions.defaults())) {
            long[] ids = m.tokenize("rivers", Kind.PASSAGE, EncoderOptions.Truncation.TRUNCATE).ids();
            assertFalse(m.appendsEos());
            assertEquals("the template's token ends the input: " + Arrays.toString(ids), BpeTrainer.PAD_ID, ids[ids.length - 1]);
            assertTrue("no config EOS after it: " + Arrays.toString(ids), Arrays.stream(ids).noneMatch(i -> i == BpeTrainer.EOS_ID));
            EncoderModel shortModel = m.withOptions(m.options().withMaxTokens(6), m.tokenizer());
            long[] cut = shortModel.tokenize(RandomCheckpoints.SAMPLE_TEXT, Kind.PASSAGE, EncoderOptions.Truncation.TRUNCATE).ids();
            assertEquals(6, cut.length);
            assertEquals(BpeTrainer.PAD_ID, cut[5]);
        }
    }
}
