package org.llmretriever.yamlrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.node.LocalHttp;

import java.io.IOException;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Model definitions and pipelines live in cluster state: after a full restart they are back and work. */
public class RestartPersistenceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalCluster cluster;

    @BeforeClass
    public static void start() throws Exception {
        LocalCluster.Options o = SharedTestCluster.separateCluster("restart", 1);
        cluster = LocalCluster.start(Distribution.fromSystemProperty(), o);
    }

    @AfterClass
    public static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static JsonNode call(String method, String path, String body, int expectedStatus) throws IOException {
        LocalHttp.Response r = LocalHttp.send(method, cluster.url() + path, body, 120_000);
        assertEquals(method + " " + path + " -> " + r.body(), expectedStatus, r.status());
        return JSON.readTree(r.body().isEmpty() ? "{}" : r.body());
    }

    @Test
    public void modelsAndPipelinesSurviveAFullRestart() throws Exception {
        call("PUT", "/_plugins/_llm_retriever/models/persisted", "{\"path\": \"tiny-llama\", \"query_prompt\": \"q: {text}\"}", 201);
        call("PUT", "/_ingest/pipeline/persisted-pipeline",
            "{\"processors\": [{\"llm_embedding\": {\"model\": \"persisted\", \"field_map\": {\"title\": \"v\"}}}]}", 200);
        call("PUT", "/persisted-index", "{\"settings\": {\"index.knn\": true, \"number_of_replicas\": 0}, \"mappings\": {\"properties\": "
            + "{\"title\": {\"type\": \"text\"}, \"v\": {\"type\": \"knn_vector\", \"dimension\": 32, "
            + "\"method\": {\"name\": \"hnsw\", \"engine\": \"lucene\", \"space_type\": \"cosinesimil\"}}}}}", 200);
        call("PUT", "/persisted-index/_doc/1?pipeline=persisted-pipeline&refresh=true", "{\"title\": \"cats sleep all day\"}", 201);
        String query = "{\"query\": {\"llm_knn\": {\"v\": {\"query_text\": \"cats sleep all day\", \"model\": \"persisted\", \"k\": 1}}}}";
        JsonNode before = call("POST", "/persisted-index/_search", query, 200);

        cluster.stopNode(0);
        cluster.restartNode(0);

        JsonNode model = call("GET", "/_plugins/_llm_retriever/models/persisted", null, 200).path("models").path("persisted");
        assertEquals("tiny-llama", model.path("path").asText());
        assertEquals("q: {text}", model.path("query_prompt").asText());
        assertEquals(32, model.path("dimension").asInt());
        assertEquals("not_loaded", model.path("nodes").path("node-0").path("state").asText());
        call("GET", "/_cluster/health/persisted-index?wait_for_status=green&timeout=60s", null, 200);
        call("PUT", "/persisted-index/_doc/2?pipeline=persisted-pipeline&refresh=true", "{\"title\": \"a river under bridges\"}", 201);
        JsonNode doc = call("GET", "/persisted-index/_doc/2", null, 200);
        assertEquals(32, doc.path("_source").path("v").size());
        JsonNode after = call("POST", "/persisted-index/_search", query, 200);
        assertEquals(before.path("hits").path("hits").get(0).path("_id"), after.path("hits").path("hits").get(0).path("_id"));
        assertEquals(before.path("hits").path("hits").get(0).path("_score").asDouble(), after.path("hits").path("hits").get(0).path("_score").asDouble(), 1e-6);
        assertTrue(after.path("hits").path("total").path("value").asInt() >= 1);
    }
}
