package org.llmretriever.encoder;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.model.LlamaModel;
import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.encoder.model.RandomCheckpoints;

import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Qwen3 gives o_proj a bias when attention_bias is true (as Hugging Face's Qwen3Attention does); Qwen2's o_proj never has one. */
public class Qwen3BiasTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static ModelSpec spec(String variant, boolean attentionBias) {
        ObjectNode c = RandomCheckpoints.config(variant);
        c.put("attention_bias", attentionBias);
        return LlamaModel.spec(ModelConfig.of(c, variant), false);
    }

    @Test
    public void qwen3OutputProjectionBiasFollowsAttentionBias() {
        assertTrue(spec("qwen3", true).tensors().containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertTrue(spec("qwen3", true).tensors().containsKey("model.layers.0.self_attn.q_proj.bias"));
        assertFalse(spec("qwen3", false).tensors().containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertFalse("Qwen2's o_proj has no bias whatever the config says",
            spec("qwen2", true).tensors().containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertTrue(spec("qwen2", false).tensors().containsKey("model.layers.0.self_attn.q_proj.bias"));
    }

    @Test
    public void aQwen3CheckpointWithOutputBiasLoadsAndEmbeds() throws Exception {
        ObjectNode c = RandomCheckpoints.config("qwen3");
        c.put("attention_bias", true);
        Path dir = RandomCheckpoints.write(tmp.newFolder("q3").toPath(), c, 4);
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults())) {
            assertEquals(1, m.embed(List.of("rivers and bridges"), Kind.PASSAGE).vectors().length);
            assertTrue(m.model().stateDict().containsKey("model.layers.0.self_attn.o_proj.bias"));
        }
    }
}
