package org.llmretriever.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.ClassRule;
import org.junit.Test;
import org.llmretriever.trainer.SyntheticCorpus;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * {@code adapt} against a real node: reads the index (skipping bad documents), trains, registers the result and
 * re-embeds the index into a fresh one behind the same name.
 */
public class AdaptIT {
    @ClassRule
    public static final TinyModelNode node = new TinyModelNode("adapt", 31);

    @Test
    public void adaptReadsTheIndexRegistersAndReembeds() throws Exception {
        node.client().put("/_plugins/_llm_retriever/models/tiny", Map.of("path", "tiny"));
        node.client().put("/_ingest/pipeline/embed", Map.of("processors", List.of(Map.of("llm_embedding",
            Map.of("model", "tiny", "field_map", Map.of("text", "vector"), "ignore_missing", true)))));
        node.client().put("/docs", Map.of("settings", Map.of("index.knn", true, "number_of_replicas", 0, "default_pipeline", "embed"),
            "mappings", Map.of("properties", Map.of("title", Map.of("type", "text"), "text", Map.of("type", "text"),
                "vector", Map.of("type", "knn_vector", "dimension", 32, "method", Map.of("name", "hnsw", "engine", "lucene", "space_type", "cosinesimil"))))));
        SyntheticCorpus corpus = new SyntheticCorpus(24, 3);
        List<Map<String, Object>> docs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < corpus.train.size(); i++) {
            docs.add(Map.of("title", "document " + i, "text", corpus.train.get(i).text()));
            ids.add("d" + i);
        }
        JsonNode bulk = node.client().bulkIndex("docs", docs, ids, null, true);
        assertTrue(bulk.toString(), !bulk.path("errors").asBoolean());
        // documents without usable text: skipped by adapt, not fatal (indexed without the pipeline)
        node.client().bulkIndex("docs", List.of(Map.of("text", ""), Map.of("title", 42), Map.of("other", "x")), List.of("empty", "number", "other"), "_none", true);
        JsonNode before = node.client().get("/docs/_doc/d0").path("_source").path("vector");
        assertEquals(32, before.size());

        Path out = node.dir().resolve("run");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true));
            code = Main.commandLine().execute("adapt", "--model", node.dir().resolve("models/tiny").toString(),
                "--opensearch", node.url(), "--index", "docs", "--fields", "title,text",
                "--objective", "llm2ir", "--steps", "6", "--batch-size", "4", "--lora-rank", "4", "--crop-min", "4", "--crop-max", "16",
                "--max-tokens", "64", "--hard-negatives", "1", "--out", out.toString(),
                "--register", "tiny-adapted", "--models-path", node.dir().resolve("models").toString(), "--reembed");
        } finally {
            System.setOut(original);
        }
        String log = captured.toString();
        System.out.println(log);
        assertEquals(log, 0, code);
        assertTrue(log, log.contains("27 read, 24 used, skipped: 2 empty, 1 non-text"));
        assertTrue(log, log.contains("registered model [tiny-adapted]"));
        // the default pooling: the corpus's IDF weights travel with the model and the node loads them
        assertEquals("weighted_mean", node.client().get("/_plugins/_llm_retriever/models/tiny-adapted").path("models").path("tiny-adapted")
            .path("pooling").asText());
        assertTrue(java.nio.file.Files.isRegularFile(out.resolve("model").resolve("token_weights.safetensors")));

        JsonNode alias = node.client().get("/_alias/docs");
        String newIndex = alias.fieldNames().next();
        assertTrue(newIndex, newIndex.startsWith("docs-tiny-adapted-"));
        assertEquals(27, node.client().get("/docs/_count").path("count").asLong());
        JsonNode after = node.client().get("/" + newIndex + "/_doc/d0").path("_source").path("vector");
        assertEquals(32, after.size());
        assertNotEquals("vectors must come from the adapted model", before, after);
        assertEquals("tiny-adapted", node.client().get("/" + newIndex + "/_settings").path(newIndex).path("settings").path("index")
            .path("default_pipeline").asText().replace("embed-", ""));
        JsonNode hits = node.client().post("/docs/_search", Map.of("query", Map.of("llm_knn", Map.of("vector",
            Map.of("query_text", corpus.heldBack.get(0), "model", "tiny-adapted", "k", 3)))));
        assertEquals(3, hits.path("hits").path("hits").size());
        // new documents through the alias are embedded by the adapted model
        node.client().put("/docs/_doc/fresh?refresh=true", Map.of("text", "a brand new document"));
        assertEquals(32, node.client().get("/docs/_doc/fresh").path("_source").path("vector").size());
    }
}
