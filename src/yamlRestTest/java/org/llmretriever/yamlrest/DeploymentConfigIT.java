package org.llmretriever.yamlrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.node.LocalHttp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The files users copy: a two-node cluster started with the node settings of {@code config/opensearch-data.yml}
 * and {@code config/opensearch-inference.yml} (OpenSearch refuses unknown or malformed settings at start-up),
 * then every request of {@code config/examples} as written, except the checkpoint (a tiny local Llama instead
 * of Qwen2.5-0.5B) and the vector dimension that follows from it.
 */
public class DeploymentConfigIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Settings that only make sense inside docker-compose (host names, paths); the harness supplies its own. */
    private static final Set<String> DEPLOYMENT_ONLY = Set.of("cluster.name", "node.name", "network.host", "discovery.seed_hosts",
        "cluster.initial_cluster_manager_nodes", "plugins.llm_retriever.models_path", "plugins.llm_retriever.native_cache_dir");
    /** Hidden size of TestModels' tiny-llama. */
    private static final int TINY_DIM = 32;
    private static final int DATA = 0;
    private static final int INFERENCE = 1;
    private static Path root;
    private static LocalCluster cluster;

    @BeforeClass
    public static void start() throws Exception {
        root = Path.of(System.getProperty("llmretriever.repo.dir")).toAbsolutePath().normalize();
        LocalCluster.Options o = SharedTestCluster.separateCluster("deployment", 2);
        o.nodeSettings.put(DATA, nodeSettings(root.resolve("config/opensearch-data.yml")));
        o.nodeSettings.put(INFERENCE, nodeSettings(root.resolve("config/opensearch-inference.yml")));
        cluster = LocalCluster.start(Distribution.fromSystemProperty(), o);
    }

    @AfterClass
    public static void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A config file's settings as flat strings, without the docker-compose-only ones. */
    static Map<String, String> nodeSettings(Path yml) throws IOException {
        JsonNode tree = new YAMLMapper().readTree(yml.toFile());
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", tree, flat);
        flat.keySet().removeAll(DEPLOYMENT_ONLY);
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) throws IOException {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            out.put(prefix, JSON.writeValueAsString(node));
        } else {
            out.put(prefix, node.asText());
        }
    }

    private static String example(String file) throws IOException {
        return Files.readString(root.resolve("config/examples").resolve(file));
    }

    @Test
    public void theExampleRequestsWorkOnTheExampleNodeLayout() throws Exception {
        ObjectNode model = (ObjectNode) JSON.readTree(example("model.json"));
        model.put("path", "tiny-llama");
        call("PUT", "/_plugins/_llm_retriever/models/qwen", model.toString(), 201);
        call("PUT", "/_ingest/pipeline/qwen-embed", example("pipeline.json"), 200);
        ObjectNode index = (ObjectNode) JSON.readTree(example("index.json"));
        ((ObjectNode) index.at("/mappings/properties/text_vector")).put("dimension", TINY_DIM);
        call("PUT", "/articles", index.toString(), 200);

        JsonNode bulk = call("POST", "/articles/_bulk?refresh=true", example("documents.ndjson"), 200);
        assertEquals(bulk.toString(), false, bulk.path("errors").asBoolean());
        JsonNode doc = call("GET", "/articles/_doc/2", null, 200);
        assertEquals("the default pipeline embedded the text", TINY_DIM, doc.at("/_source/text_vector").size());

        List<String> knn = ids(call("POST", "/articles/_search", example("query-knn.json"), 200));
        assertEquals(Set.of("1", "2", "3"), Set.copyOf(knn));
        // BM25 finds only document 2 ("mountains"); fused with any vector ranking it comes first.
        List<String> hybrid = ids(call("POST", "/articles/_search", example("query-hybrid.json"), 200));
        assertEquals(hybrid.toString(), "2", hybrid.get(0));

        JsonNode nodes = call("GET", "/_plugins/_llm_retriever/stats", null, 200).path("nodes");
        JsonNode onData = nodes.path("node-" + DATA).path("models").path("qwen");
        JsonNode onInference = nodes.path("node-" + INFERENCE).path("models").path("qwen");
        assertEquals("the data node of the example layout never runs the model", 0, onData.path("stats").path("texts").asLong());
        // 3 documents and 2 queries with the same text: the second comes from the query cache
        JsonNode stats = onInference.path("stats");
        assertTrue(onInference.toString(), stats.path("texts").asLong() + stats.path("cache_hits").asLong() >= 5);
    }

    private static List<String> ids(JsonNode search) {
        List<String> ids = new ArrayList<>();
        search.path("hits").path("hits").forEach(h -> ids.add(h.path("_id").asText()));
        return ids;
    }

    private static JsonNode call(String method, String path, String body, int expected) throws IOException {
        LocalHttp.Response r = LocalHttp.send(method, cluster.nodes().get(DATA).url() + path, body, 120_000);
        assertEquals(method + " " + path + " -> " + r.body(), expected, r.status());
        return JSON.readTree(r.body() == null || r.body().isEmpty() ? "{}" : r.body());
    }
}
