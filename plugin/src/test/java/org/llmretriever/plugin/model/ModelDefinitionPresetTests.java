package org.llmretriever.plugin.model;

import org.llmretriever.encoder.embed.Preset;
import org.opensearch.test.OpenSearchTestCase;

import java.util.HashMap;
import java.util.Map;

/** A preset fills a model definition's defaults; explicit fields win; an unknown preset names the known ones. */
public class ModelDefinitionPresetTests extends OpenSearchTestCase {
    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("path", "tiny-llama");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    public void testPresetFillsEveryEmbeddingSetting() {
        for (Preset p : Preset.ALL) {
            Map<String, Object> m = ModelDefinition.fromRequest("m", body("preset", p.name())).asMap();
            assertEquals(p.name(), m.get("preset"));
            for (Map.Entry<String, Object> e : p.settings().entrySet()) {
                if (!e.getKey().equals("append_eos")) {
                    assertEquals(p.name() + "." + e.getKey(), e.getValue(), m.get(e.getKey()));
                }
            }
        }
    }

    public void testExplicitFieldsOverrideThePreset() {
        Map<String, Object> m = ModelDefinition.fromRequest("m", body("preset", "qwen3-embedding", "max_tokens", 64,
            "query_prompt", "Instruct: find the code\nQuery:{text}", "attention", "bidirectional", "normalize", false)).asMap();
        assertEquals(64, m.get("max_tokens"));
        assertEquals("Instruct: find the code\nQuery:{text}", m.get("query_prompt"));
        assertEquals("bidirectional", m.get("attention"));
        assertEquals(false, m.get("normalize"));
        assertEquals("last_token", m.get("pooling"));   // from the preset
        assertEquals("", m.get("passage_prompt"));      // from the preset
        Map<String, Object> llara = ModelDefinition.fromRequest("m", body("preset", "llara", "pooling", "mean")).asMap();
        assertEquals("mean", llara.get("pooling"));
        assertEquals(Preset.LLARA.passagePrompt(), llara.get("passage_prompt"));
    }

    public void testNoPresetKeepsTheOldDefaultsAndShowsNoPresetField() {
        Map<String, Object> m = ModelDefinition.fromRequest("m", body()).asMap();
        assertFalse(m.containsKey("preset"));
        assertEquals("last_token", m.get("pooling"));
        assertEquals(512, m.get("max_tokens"));
        assertEquals("causal", m.get("attention"));
    }

    public void testUnknownPresetIsRefusedWithTheKnownNames() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
            () -> ModelDefinition.fromRequest("m", body("preset", "bge-m3")));
        assertEquals("unknown preset [bge-m3]; known presets: [qwen3-embedding, e5-mistral, gte-qwen2, sfr-mistral, linq-mistral, llara, llm2vec]",
            e.getMessage());
        IllegalArgumentException t = expectThrows(IllegalArgumentException.class,
            () -> ModelDefinition.fromRequest("m", body("preset", 3)));
        assertTrue(t.getMessage(), t.getMessage().startsWith("[preset] must be a string"));
    }
}
