package org.llmretriever.encoder;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.Preset;
import org.llmretriever.encoder.model.RandomCheckpoints;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The presets: unique names, valid settings, every one cites a source, and each embeds a tiny model of its family. */
public class PresetTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void namesAreUniqueAndEveryPresetIsComplete() {
        Set<String> names = new HashSet<>();
        for (Preset p : Preset.ALL) {
            assertTrue("duplicate " + p.name(), names.add(p.name()));
            assertFalse(p.name(), p.models().isEmpty());
            assertTrue(p.name() + " cites no source", p.source().contains("https://"));
            assertTrue(p.name(), p.maxTokens() >= 2);
            assertEquals(p, Preset.get(p.name()));
        }
    }

    @Test
    public void theDocumentedSettingsAreTheOnesApplied() {
        EncoderOptions q3 = Preset.QWEN3_EMBEDDING.applyTo(EncoderOptions.defaults());
        assertEquals(Pooling.LAST_TOKEN, q3.pooling());
        assertEquals("Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:hello",
            q3.queryPrompt().apply("hello"));
        assertTrue(q3.passagePrompt().isEmpty());
        assertEquals(8192, q3.maxTokens());
        EncoderOptions e5 = Preset.E5_MISTRAL.applyTo(EncoderOptions.defaults());
        assertEquals("Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: hello",
            e5.queryPrompt().apply("hello"));
        assertEquals(EncoderOptions.Attention.BIDIRECTIONAL, Preset.GTE_QWEN2.applyTo(EncoderOptions.defaults()).attention());
        EncoderOptions llara = Preset.LLARA.applyTo(EncoderOptions.defaults());
        assertEquals(Pooling.suffixMean(8), llara.pooling());
        assertTrue(llara.passagePrompt().apply("x").endsWith("summarize the above passage within eight words: <s1><s2><s3><s4><s5><s6><s7><s8>"));
        assertTrue(llara.queryPrompt().apply("x").endsWith("predict the following passage within eight words: <s9><s10><s11><s12><s13><s14><s15><s16>"));
        EncoderOptions l2v = Preset.LLM2VEC.applyTo(EncoderOptions.defaults());
        assertEquals(Pooling.TEXT_MEAN, l2v.pooling());
        assertEquals(EncoderOptions.Attention.BIDIRECTIONAL, l2v.attention());
        assertEquals(Boolean.TRUE, Preset.E5_MISTRAL.settings().get("append_eos"));
        assertEquals(Boolean.FALSE, Preset.LLARA.settings().get("append_eos"));
    }

    @Test
    public void unknownPresetNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preset.get("nomic"));
        assertEquals("unknown preset [nomic]; known presets: [qwen3-embedding, e5-mistral, gte-qwen2, sfr-mistral, linq-mistral, llara, llm2vec]",
            e.getMessage());
    }

    @Test
    public void everyPresetEmbedsATinyModelOfItsFamily() throws Exception {
        for (Preset p : Preset.ALL) {
            String variant = p.name().startsWith("qwen3") ? "qwen3" : p.name().startsWith("gte") ? "qwen2"
                : p.name().equals("llara") || p.name().equals("llm2vec") ? "llama" : "mistral";
            Path dir = RandomCheckpoints.write(tmp.newFolder(p.name()).toPath(), variant, 51);
            // tiny models have 256 positions and Mistral's tiny window is 6 tokens: cap max_tokens as a user would
            EncoderOptions o = p.applyTo(EncoderOptions.defaults()).withMaxTokens(variant.equals("mistral") ? 200 : 250);
            if (p.attention() == EncoderOptions.Attention.BIDIRECTIONAL && variant.equals("mistral")) {
                continue;
            }
            try (EncoderModel m = EncoderModel.load(dir, o)) {
                for (Kind k : Kind.values()) {
                    float[] v = m.embed(List.of("rivers and bridges"), k).vectors()[0];
                    assertEquals(p.name(), 32, v.length);
                }
            }
        }
    }
}
