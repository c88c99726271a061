package org.llmretriever.yamlrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;
import org.junit.runner.OrderWith;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.node.LocalHttp;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

/**
 * A two-node cluster where only node-1 runs models ({@code node.attr.llm_inference: true}, no other role) and
 * node-0 holds the data and runs the pipelines: routing, kill -9 of the inference node during bulks, a full
 * restart, overload over a small inference queue, DELETE and reload during traffic, and a sweep of bad input.
 * <p>
 * The tests share one cluster but not their data: each creates its own index, documents and models, and
 * {@link #healthyClusterWithSharedModel()} brings the cluster back to the same start before each (both nodes up,
 * green, model {@code m} and pipeline {@code embed} registered), so they pass in any order ({@link TestOrder}).
 * Each passing test adds its raw figures to {@code target/reliability.json}; {@code ./llm-retriever
 * reliability-report} renders {@code docs/reliability.md} from that file.
 */
@OrderWith(TestOrder.class)
public class ClusterFaultIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectNode REPORT = JSON.createObjectNode();
    private static final int DATA = 0;
    private static final int INFERENCE = 1;
    private static final int SMALL_DIM = 32;
    private static final int MEDIUM_DIM = 256;
    private static final int INFERENCE_QUEUE = 8;
    /** How far a score may move across a restart, in units in the last place: see {@link #assertSameHits}. */
    private static final int SCORE_ULPS = 4;
    private static final String SHARED_MODEL = "{\"path\": \"tiny-llama\"}";
    private static final String SHARED_PIPELINE =
        "{\"processors\": [{\"llm_embedding\": {\"model\": \"m\", \"field_map\": {\"text\": \"v\"}}}]}";
    private static LocalCluster cluster;
    private static Path reportFile;
    private final List<ExecutorService> clientThreads = new ArrayList<>();

    @BeforeClass
    public static void start() throws Exception {
        LocalCluster.Options o = SharedTestCluster.separateCluster("fault", 2);
        reportFile = o.workDir.resolveSibling("reliability.json");
        Path models = o.workDir.resolve("models");
        TestModels.writeMedium(models.resolve("medium-llama"), MEDIUM_DIM);
        TestModels.writeCorrupted(models);
        o.settings.put("plugins.llm_retriever.inference_nodes", "llm_inference:true");
        o.nodeSettings.put(DATA, Map.of("node.roles", "[\"cluster_manager\", \"data\", \"ingest\"]"));
        o.nodeSettings.put(INFERENCE, Map.of("node.roles", "[]", "node.attr.llm_inference", "true",
            "thread_pool.llm_retriever_inference.queue_size", Integer.toString(INFERENCE_QUEUE)));
        cluster = LocalCluster.start(Distribution.fromSystemProperty(), o);
        REPORT.set("run", runDescription());
        REPORT.putObject("cluster").put("small_dim", SMALL_DIM).put("medium_dim", MEDIUM_DIM).put("inference_queue_size", INFERENCE_QUEUE);
    }

    @AfterClass
    public static void stop() throws IOException {
        try {
            if (reportFile != null) {
                Files.writeString(reportFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(REPORT));
                System.out.println("reliability figures: " + reportFile + "\n" + REPORT.toPrettyString());
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /**
     * The start every test may rely on, whatever ran before it (and whether it passed): both nodes alive and in the
     * cluster, health green, the model {@code m} and the pipeline {@code embed} that uses it registered.
     */
    @Before
    public void healthyClusterWithSharedModel() throws Exception {
        for (LocalCluster.Node n : cluster.nodes()) {
            if (n.process().isEmpty()) {
                cluster.restartNode(n.index()); // a failed test left it down
            }
        }
        call(DATA, "GET", "/_cluster/health?wait_for_status=green&wait_for_nodes=2&timeout=90s", null, 200);
        if (send(DATA, "GET", "/_plugins/_llm_retriever/models/m", null).status() != 200) {
            call(DATA, "PUT", "/_plugins/_llm_retriever/models/m", SHARED_MODEL, 201);
        }
        if (send(DATA, "GET", "/_ingest/pipeline/embed", null).status() != 200) {
            call(DATA, "PUT", "/_ingest/pipeline/embed", SHARED_PIPELINE, 200);
        }
    }

    /** Ends the client threads of a test, also of one that failed, so that no traffic runs on into the next test. */
    @After
    public void stopClientThreads() throws InterruptedException {
        for (ExecutorService threads : clientThreads) {
            threads.shutdownNow();
        }
        for (ExecutorService threads : clientThreads) {
            assertTrue("client threads still running", threads.awaitTermination(3, TimeUnit.MINUTES));
        }
    }

    // ---- routing --------------------------------------------------------------------------------------

    @Test
    public void embeddingRunsOnlyOnTheInferenceNode() throws Exception {
        createIndex("routing", SMALL_DIM);
        JsonNode before = statsByNode(); // other tests' traffic, if any ran before
        // texts no other test sends, so that none is answered from the query cache
        JsonNode r = call(DATA, "POST", "/_plugins/_llm_retriever/models/m/_embed", "{\"texts\": [\"routing: cats sleep all day\"]}", 200);
        assertEquals(SMALL_DIM, r.path("embeddings").get(0).path("vector").size());
        assertEquals("the response names the node that embedded", "node-1", r.path("node").asText());
        call(DATA, "PUT", "/routing/_doc/first?pipeline=embed&refresh=true", doc("first", "routing", "the routed document"), 201);
        JsonNode hits = call(DATA, "POST", "/routing/_search", knn("the routed document", 1), 200).path("hits").path("hits");
        assertEquals("first", hits.get(0).path("_id").asText());

        JsonNode nodes = statsByNode();
        JsonNode onData = nodes.path("node-0").path("models").path("m");
        JsonNode onInference = nodes.path("node-1").path("models").path("m");
        long routed = onData.path("stats").path("routed_to").path("node-1").asLong()
            - before.path("node-0").path("models").path("m").path("stats").path("routed_to").path("node-1").asLong();
        long textsOnInference = onInference.path("stats").path("texts").asLong()
            - before.path("node-1").path("models").path("m").path("stats").path("texts").asLong();
        assertEquals("the data node never loads the model", "not_loaded", onData.path("state").asText());
        assertEquals("ready", onInference.path("state").asText());
        assertTrue(onData.toString(), routed >= 3); // embed, doc, query
        assertEquals(0, onData.path("stats").path("texts").asLong());
        assertTrue(onInference.toString(), textsOnInference >= 3);

        // _load goes to the inference nodes only
        JsonNode load = call(DATA, "POST", "/_plugins/_llm_retriever/models/m/_load", null, 200).path("nodes");
        assertEquals(List.of("node-1"), fieldNames(load));
        ObjectNode rep = REPORT.putObject("routing");
        rep.put("routed_from_node_0", routed);
        rep.put("texts_embedded_on_node_1", textsOnInference);
        rep.put("texts_embedded_on_node_0", onData.path("stats").path("texts").asLong());
    }

    // ---- kill -9 of the inference node during bulks ----------------------------------------------------

    @Test
    public void killingTheInferenceNodeDuringBulksLosesNoAcknowledgedDocument() throws Exception {
        createIndex("kill", SMALL_DIM);
        int perBulk = 20;
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Map<String, String> failed = new ConcurrentHashMap<>();
        Map<String, Integer> errorKinds = new ConcurrentHashMap<>();
        Map<String, String> reasonByKind = new ConcurrentHashMap<>();
        List<String> missingReasons = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger bulks = new AtomicInteger();
        AtomicInteger cleanBulksAfterRestart = new AtomicInteger();
        AtomicBoolean restarted = new AtomicBoolean();
        long[] firstCleanAfterRestart = { 0 };
        ExecutorService writer = clientThreads(1);
        Future<?> done = writer.submit(() -> {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            for (int batch = 0; cleanBulksAfterRestart.get() < 5 && System.nanoTime() < deadline; batch++) {
                List<String> ids = new ArrayList<>();
                StringBuilder body = new StringBuilder();
                for (int j = 0; j < perBulk; j++) {
                    String id = "k-" + batch + "-" + j;
                    ids.add(id);
                    body.append("{\"index\": {\"_id\": \"").append(id).append("\"}}\n")
                        .append(doc(id, "kill", "batch " + batch + " document " + j + " about rivers and bridges")).append('\n');
                }
                boolean clean = true;
                LocalHttp.Response r;
                try {
                    r = LocalHttp.send("POST", url(DATA) + "/kill/_bulk?pipeline=embed", body.toString(), 60_000);
                } catch (IOException e) {
                    r = null;
                }
                if (r == null || r.status() != 200) {
                    clean = false;
                    for (String id : ids) {
                        failed.put(id, "bulk request: " + (r == null ? "no response" : r.status()));
                    }
                    errorKinds.merge("bulk_request_" + (r == null ? "io" : r.status()), ids.size(), Integer::sum);
                } else {
                    JsonNode items = read(r.body()).path("items");
                    for (int j = 0; j < items.size(); j++) {
                        JsonNode item = items.get(j).path("index");
                        if (item.path("status").asInt() == 201) {
                            acked.add(ids.get(j));
                        } else {
                            clean = false;
                            String reason = item.path("error").path("reason").asText("");
                            if (reason.isBlank()) {
                                missingReasons.add(item.toString());
                            }
                            failed.put(ids.get(j), reason);
                            String kind = item.path("status").asInt() + " " + item.path("error").path("type").asText();
                            errorKinds.merge(kind, 1, Integer::sum);
                            reasonByKind.putIfAbsent(kind, reason);
                        }
                    }
                }
                bulks.incrementAndGet();
                if (restarted.get() && clean && cleanBulksAfterRestart.incrementAndGet() == 1) {
                    firstCleanAfterRestart[0] = System.nanoTime();
                }
                if (!clean) {
                    Thread.sleep(250); // back off as a bulk client would
                }
            }
            return null;
        });
        awaitCount(bulks, 5, 60);
        long killedAt = System.nanoTime();
        cluster.killNode(INFERENCE);
        Thread.sleep(4000); // bulks keep coming while the only inference node is gone
        cluster.restartNode(INFERENCE);
        long back = System.nanoTime();
        restarted.set(true);
        done.get(5, TimeUnit.MINUTES);

        call(DATA, "POST", "/kill/_refresh", null, 200);
        long stored = count("kill", "{\"query\": {\"term\": {\"run\": \"kill\"}}}");
        long withVector = count("kill", "{\"query\": {\"bool\": {\"filter\": [{\"term\": {\"run\": \"kill\"}}, {\"exists\": {\"field\": \"v\"}}]}}}");
        List<String> failedIds = new ArrayList<>(failed.keySet());
        long phantom = failedIds.isEmpty() ? 0 : count("kill", "{\"query\": {\"ids\": {\"values\": " + JSON.writeValueAsString(failedIds) + "}}}");
        assertFalse("the kill should have failed some documents", failed.isEmpty());
        assertTrue("failed items without a reason: " + missingReasons, missingReasons.isEmpty());
        assertEquals("every acknowledged document is stored", acked.size(), stored);
        assertEquals("every stored document has its vector", stored, withVector);
        assertEquals("no unacknowledged document was stored", 0, phantom);
        assertEquals(5, cleanBulksAfterRestart.get());
        JsonNode vector = call(DATA, "GET", "/kill/_doc/" + acked.iterator().next(), null, 200).path("_source").path("v");
        assertEquals(SMALL_DIM, vector.size());

        ObjectNode rep = REPORT.putObject("kill_inference_node");
        rep.put("bulks", bulks.get());
        rep.put("documents_per_bulk", perBulk);
        rep.put("documents_sent", acked.size() + failed.size());
        rep.put("acknowledged", acked.size());
        rep.put("stored_with_vector", withVector);
        rep.put("failed_with_error", failed.size());
        rep.put("failed_but_stored", phantom);
        rep.set("errors_by_kind", JSON.valueToTree(new TreeMap<>(errorKinds)));
        rep.set("first_reason_by_kind", JSON.valueToTree(new TreeMap<>(reasonByKind)));
        rep.put("node_down_seconds", round((back - killedAt) / 1e9));
        rep.put("first_clean_bulk_after_node_back_seconds", round((firstCleanAfterRestart[0] - back) / 1e9));
    }

    // ---- full restart -----------------------------------------------------------------------------------

    @Test
    public void aFullRestartGivesTheSameSearchResults() throws Exception {
        createIndex("restart", SMALL_DIM);
        StringBuilder bulk = new StringBuilder();
        int documents = 0;
        for (int b = 0; b < 4; b++) {
            for (int j = 0; j < 15; j++, documents++) {
                String id = "r-" + b + "-" + j;
                bulk.append("{\"index\": {\"_id\": \"").append(id).append("\"}}\n")
                    .append(doc(id, "restart", "batch " + b + " document " + j + " about rivers and bridges")).append('\n');
            }
        }
        bulk.append("{\"index\": {\"_id\": \"first\"}}\n").append(doc("first", "restart", "the first document")).append('\n');
        documents++;
        JsonNode indexed = call(DATA, "POST", "/restart/_bulk?pipeline=embed&refresh=true", bulk.toString(), 200);
        assertFalse(indexed.toString(), indexed.path("errors").asBoolean());
        List<String> queries = List.of("rivers and bridges", "batch 3 document 7", "the first document", "document 12", "bridges");
        List<JsonNode> before = new ArrayList<>();
        for (String q : queries) {
            before.add(hitsOf(call(DATA, "POST", "/restart/_search", knn(q, 5), 200)));
        }
        String embedQueries = JSON.writeValueAsString(Map.of("texts", queries, "kind", "query"));
        JsonNode vectorsBefore = vectorsOf(call(DATA, "POST", "/_plugins/_llm_retriever/models/m/_embed", embedQueries, 200));
        long t0 = System.nanoTime();
        cluster.restartAll();
        call(DATA, "GET", "/_cluster/health/restart?wait_for_status=green&timeout=90s", null, 200);
        double restartSeconds = (System.nanoTime() - t0) / 1e9;

        assertEquals("tiny-llama", call(DATA, "GET", "/_plugins/_llm_retriever/models/m", null, 200).path("models").path("m").path("path").asText());
        assertTrue(call(DATA, "GET", "/_ingest/pipeline/embed", null, 200).has("embed"));
        assertEquals("models load lazily after a restart", "not_loaded", modelState(INFERENCE, "m"));
        long t1 = System.nanoTime();
        int worstUlps = 0;
        for (int i = 0; i < queries.size(); i++) {
            JsonNode after = hitsOf(call(DATA, "POST", "/restart/_search", knn(queries.get(i), 5), 200));
            worstUlps = Math.max(worstUlps, assertSameHits(queries.get(i), before.get(i), after));
        }
        double firstQueriesSeconds = (System.nanoTime() - t1) / 1e9;
        assertEquals("ready", modelState(INFERENCE, "m"));
        assertEquals("not_loaded", modelState(DATA, "m"));
        assertEquals("query vectors, bit for bit", vectorsBefore,
            vectorsOf(call(DATA, "POST", "/_plugins/_llm_retriever/models/m/_embed", embedQueries, 200)));
        call(DATA, "PUT", "/restart/_doc/after-restart?pipeline=embed&refresh=true", doc("after-restart", "restart", "written after the restart"), 201);

        ObjectNode rep = REPORT.putObject("full_restart");
        rep.put("documents", documents);
        rep.put("queries_compared", queries.size());
        rep.put("same_documents_in_same_order", true);
        rep.put("same_query_vectors", true);
        rep.put("max_score_difference_ulps", worstUlps);
        rep.put("score_difference_ulps_allowed", SCORE_ULPS);
        rep.put("restart_to_green_seconds", round(restartSeconds));
        rep.put("first_queries_incl_lazy_load_seconds", round(firstQueriesSeconds));
    }

    // ---- overload ---------------------------------------------------------------------------------------

    @Test
    public void overloadGives429sAndTheClusterRecovers() throws Exception {
        call(DATA, "PUT", "/_plugins/_llm_retriever/models/heavy", "{\"path\": \"medium-llama\", \"max_tokens\": 256}", 201);
        call(DATA, "PUT", "/_ingest/pipeline/embed-heavy",
            "{\"processors\": [{\"llm_embedding\": {\"model\": \"heavy\", \"field_map\": {\"text\": \"v\"}}}]}", 200);
        createIndex("overload", MEDIUM_DIM);
        call(DATA, "POST", "/_plugins/_llm_retriever/models/heavy/_load", null, 200);
        List<Double> idle = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long t = System.nanoTime();
            call(DATA, "POST", "/overload/_search", knn("heavy", "idle query number " + i, 5), 200);
            idle.add((System.nanoTime() - t) / 1e6);
        }

        Map<Integer, Integer> itemStatus = new ConcurrentHashMap<>();
        Map<Integer, Integer> queryStatus = new ConcurrentHashMap<>();
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        List<String> missingReasons = Collections.synchronizedList(new ArrayList<>());
        Set<String> acked = ConcurrentHashMap.newKeySet();
        int writers = 12;
        int readers = 12;
        int bulksPerWriter = 6;
        int documentsPerBulk = 16;
        int queriesPerReader = 15;
        ExecutorService pool = clientThreads(writers + readers);
        List<Future<?>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            all.add(pool.submit(() -> {
                for (int b = 0; b < bulksPerWriter; b++) {
                    StringBuilder body = new StringBuilder();
                    List<String> ids = new ArrayList<>();
                    for (int j = 0; j < documentsPerBulk; j++) {
                        String id = "o-" + writer + "-" + b + "-" + j;
                        ids.add(id);
                        body.append("{\"index\": {\"_id\": \"").append(id).append("\"}}\n")
                            .append(doc(id, "overload", overloadText(writer, b, j))).append('\n');
                    }
                    LocalHttp.Response r = LocalHttp.send("POST", url(DATA) + "/overload/_bulk?pipeline=embed-heavy", body.toString(), 120_000);
                    if (r.status() != 200) {
                        itemStatus.merge(1000 + r.status(), ids.size(), Integer::sum); // whole request failed
                        continue;
                    }
                    JsonNode items = read(r.body()).path("items");
                    for (int j = 0; j < items.size(); j++) {
                        JsonNode item = items.get(j).path("index");
                        int status = item.path("status").asInt();
                        itemStatus.merge(status, 1, Integer::sum);
                        if (status == 201) {
                            acked.add(ids.get(j));
                        } else if (item.path("error").path("reason").asText("").isBlank()) {
                            missingReasons.add(item.toString());
                        }
                    }
                }
                return null;
            }));
        }
        for (int q = 0; q < readers; q++) {
            int reader = q;
            all.add(pool.submit(() -> {
                for (int i = 0; i < queriesPerReader; i++) {
                    long t = System.nanoTime();
                    LocalHttp.Response r = LocalHttp.send("POST", url(DATA) + "/overload/_search",
                        knn("heavy", "reader " + reader + " asks question " + i + " about writers", 5), 120_000);
                    queryStatus.merge(r.status(), 1, Integer::sum);
                    if (r.status() == 200) {
                        latencies.add((System.nanoTime() - t) / 1e6);
                    } else if (read(r.body()).path("error").path("reason").asText("").isBlank()) {
                        missingReasons.add(r.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : all) {
            f.get(8, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        int rejected = itemStatus.getOrDefault(429, 0) + queryStatus.getOrDefault(429, 0);
        assertTrue("the small queue should have rejected work: items " + itemStatus + ", queries " + queryStatus, rejected > 0);
        assertEquals("only successes and 429s under overload: items " + itemStatus, Set.of(), without(itemStatus.keySet(), 201, 429));
        assertEquals("only successes and 429s under overload: queries " + queryStatus, Set.of(), without(queryStatus.keySet(), 200, 429));
        assertTrue("rejections without a reason: " + missingReasons, missingReasons.isEmpty());
        assertTrue("both nodes survive", cluster.allAlive());
        for (LocalCluster.Node n : cluster.nodes()) {
            assertFalse(n.name() + " ran out of memory", Files.readString(n.logFile("fault-test")).contains("java.lang.OutOfMemoryError"));
        }
        // recovery: the same traffic, one request at a time, succeeds at once
        call(DATA, "POST", "/overload/_search", knn("heavy", "after the storm", 5), 200);
        JsonNode after = call(DATA, "POST", "/overload/_bulk?pipeline=embed-heavy&refresh=true",
            "{\"index\": {\"_id\": \"o-after\"}}\n" + doc("o-after", "overload", "after the storm") + "\n", 200);
        assertFalse(after.toString(), after.path("errors").asBoolean());
        acked.add("o-after");
        assertEquals(acked.size(), count("overload", "{\"query\": {\"exists\": {\"field\": \"v\"}}}"));

        ObjectNode rep = REPORT.putObject("overload");
        rep.put("inference_queue_size", INFERENCE_QUEUE);
        rep.put("concurrent_bulk_clients", writers);
        rep.put("concurrent_query_clients", readers);
        rep.put("bulks_per_client", bulksPerWriter);
        rep.put("documents_per_bulk", documentsPerBulk);
        rep.put("words_per_document", overloadText(0, 0, 0).split(" ").length);
        rep.put("queries_per_client", queriesPerReader);
        rep.put("seconds", round(seconds));
        rep.set("bulk_items_by_status", JSON.valueToTree(new TreeMap<>(itemStatus)));
        rep.set("queries_by_status", JSON.valueToTree(new TreeMap<>(queryStatus)));
        rep.put("rejections_without_reason", missingReasons.size());
        rep.put("documents_stored", acked.size());
        rep.put("query_p50_ms_idle", round(percentile(idle, 0.5)));
        rep.put("query_p50_ms_under_load", round(percentile(latencies, 0.5)));
        rep.put("query_p99_ms_under_load", round(percentile(latencies, 0.99)));
        rep.put("nodes_alive_after", cluster.allAlive());
        rep.put("out_of_memory_errors", 0);
    }

    private static String overloadText(int writer, int bulk, int doc) {
        return ("writer " + writer + " batch " + bulk + " doc " + doc + " ").repeat(8);
    }

    // ---- DELETE and reload during traffic -------------------------------------------------------------

    @Test
    public void deleteAndReloadDuringTrafficFailNoInFlightRequest() throws Exception {
        call(DATA, "PUT", "/_plugins/_llm_retriever/models/life", "{\"path\": \"medium-llama\"}", 201);
        call(DATA, "POST", "/_plugins/_llm_retriever/models/life/_load", null, 200);
        ExecutorService pool = clientThreads(9);
        // one slow request holds the single inference thread, eight more wait in its queue
        List<String> longTexts = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            longTexts.add(("text " + i + " runs long so that embedding it takes a while; ").repeat(60));
        }
        AtomicInteger finished = new AtomicInteger();
        List<Future<LocalHttp.Response>> inFlight = new ArrayList<>();
        inFlight.add(pool.submit(() -> embed("life", longTexts, finished)));
        Thread.sleep(300);
        for (int i = 0; i < 8; i++) {
            List<String> t = List.of("queued request " + i);
            inFlight.add(pool.submit(() -> embed("life", t, finished)));
        }
        awaitModelRequests("life", 9, 30);
        int pendingAtDelete = inFlight.size() - finished.get();
        call(DATA, "DELETE", "/_plugins/_llm_retriever/models/life", null, 200);
        for (Future<LocalHttp.Response> f : inFlight) {
            LocalHttp.Response r = f.get(3, TimeUnit.MINUTES);
            assertEquals(r.body(), 200, r.status());
            assertEquals(MEDIUM_DIM, read(r.body()).path("embeddings").get(0).path("vector").size());
        }
        assertTrue("the slow request must still run when DELETE arrives (else this test proves nothing)", pendingAtDelete >= 1);
        assertEquals(404, send(DATA, "POST", "/_plugins/_llm_retriever/models/life/_embed", "{\"texts\": [\"gone\"]}").status());

        // reload (a changed definition) again and again under continuous traffic
        call(DATA, "PUT", "/_plugins/_llm_retriever/models/live", "{\"path\": \"tiny-llama\", \"query_prompt\": \"q0: {text}\"}", 201);
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<Future<?>> traffic = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int client = c;
            traffic.add(pool.submit(() -> {
                for (int i = 0; !stop.get() && !Thread.currentThread().isInterrupted(); i++) {
                    LocalHttp.Response r = send(DATA, "POST", "/_plugins/_llm_retriever/models/live/_embed",
                        "{\"texts\": [\"client " + client + " request " + i + "\"], \"kind\": \"query\"}");
                    statuses.merge(r.status(), 1, Integer::sum);
                }
                return null;
            }));
        }
        int reloads = 6;
        for (int i = 1; i <= reloads; i++) {
            Thread.sleep(400);
            call(DATA, "PUT", "/_plugins/_llm_retriever/models/live", "{\"path\": \"tiny-llama\", \"query_prompt\": \"q" + i + ": {text}\"}", 200);
        }
        Thread.sleep(400);
        stop.set(true);
        for (Future<?> f : traffic) {
            f.get(2, TimeUnit.MINUTES);
        }
        assertEquals("every request during reloads succeeds: " + statuses, Set.of(200), statuses.keySet());
        // the last definition is the one in use: same vectors as a fresh model with that prompt
        call(DATA, "PUT", "/_plugins/_llm_retriever/models/live-check", "{\"path\": \"tiny-llama\", \"query_prompt\": \"q" + reloads + ": {text}\"}", 201);
        String q = "{\"texts\": [\"which prompt\"], \"kind\": \"query\"}";
        JsonNode live = call(DATA, "POST", "/_plugins/_llm_retriever/models/live/_embed", q, 200).path("embeddings").get(0).path("vector");
        JsonNode check = call(DATA, "POST", "/_plugins/_llm_retriever/models/live-check/_embed", q, 200).path("embeddings").get(0).path("vector");
        assertEquals(check, live);
        JsonNode first = call(DATA, "POST", "/_plugins/_llm_retriever/models/m/_embed", q, 200).path("embeddings").get(0).path("vector");
        assertNotEquals("a prompt change must change query vectors", first, live);

        ObjectNode rep = REPORT.putObject("lifecycle");
        rep.put("requests_in_flight_at_delete", pendingAtDelete);
        rep.put("in_flight_failed_by_delete", 0);
        rep.put("reloads_under_traffic", reloads);
        rep.set("requests_during_reloads_by_status", JSON.valueToTree(new TreeMap<>(statuses)));
    }

    // ---- bad input --------------------------------------------------------------------------------------

    @Test
    public void badInputGets4xxWithAReasonAndTheNodesStayUp() throws Exception {
        createIndex("bad-input", SMALL_DIM);
        JsonNode indexed = call(DATA, "POST", "/bad-input/_bulk?pipeline=embed&refresh=true", "{\"index\": {\"_id\": \"cats\"}}\n"
            + doc("cats", "bad-input", "cats sleep all day") + "\n{\"index\": {\"_id\": \"rivers\"}}\n"
            + doc("rivers", "bad-input", "rivers run under bridges") + "\n", 200);
        assertFalse(indexed.toString(), indexed.path("errors").asBoolean());
        BadInputSweep sweep = new BadInputSweep("bad-input", (node, method, path, body) -> send(node, method, path, body));
        sweep.run(DATA, INFERENCE);
        assertTrue("server errors (5xx):\n" + String.join("\n", sweep.serverErrors()), sweep.serverErrors().isEmpty());
        assertTrue("rejections without a reason:\n" + String.join("\n", sweep.missingReasons()), sweep.missingReasons().isEmpty());
        assertTrue("expected rejections that were accepted:\n" + String.join("\n", sweep.wronglyAccepted()), sweep.wronglyAccepted().isEmpty());
        assertTrue(cluster.allAlive());
        call(DATA, "GET", "/_cluster/health?wait_for_status=green&timeout=30s", null, 200);
        call(DATA, "POST", "/_plugins/_llm_retriever/models/m/_embed", "{\"texts\": [\"still serving\"]}", 200);
        REPORT.set("bad_input", sweep.summary(JSON));
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    /** Threads for concurrent clients, ended after the test by {@link #stopClientThreads()}. */
    private ExecutorService clientThreads(int n) {
        ExecutorService threads = Executors.newFixedThreadPool(n);
        clientThreads.add(threads);
        return threads;
    }

    private static String url(int node) {
        return cluster.nodes().get(node).url();
    }

    static LocalHttp.Response send(int node, String method, String path, String body) throws IOException {
        return LocalHttp.send(method, url(node) + path, body, 120_000);
    }

    private static JsonNode call(int node, String method, String path, String body, int expected) throws IOException {
        LocalHttp.Response r = send(node, method, path, body);
        assertEquals(method + " " + path + " -> " + r.body(), expected, r.status());
        return read(r.body());
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("unparsed", body);
        }
    }

    private static void createIndex(String name, int dim) throws IOException {
        call(DATA, "PUT", "/" + name, "{\"settings\": {\"index.knn\": true, \"number_of_shards\": 1, \"number_of_replicas\": 0}, "
            + "\"mappings\": {\"properties\": {\"text\": {\"type\": \"text\"}, \"run\": {\"type\": \"keyword\"}, "
            + "\"v\": {\"type\": \"knn_vector\", \"dimension\": " + dim + ", "
            + "\"method\": {\"name\": \"hnsw\", \"engine\": \"lucene\", \"space_type\": \"cosinesimil\"}}}}}", 200);
    }

    private static String doc(String id, String run, String text) throws IOException {
        return JSON.writeValueAsString(Map.of("text", text, "run", run, "id", id));
    }

    private static String knn(String text, int k) throws IOException {
        return knn("m", text, k);
    }

    private static String knn(String model, String text, int k) throws IOException {
        return "{\"query\": {\"llm_knn\": {\"v\": {\"query_text\": " + JSON.writeValueAsString(text) + ", \"model\": \"" + model
            + "\", \"k\": " + k + "}}}}";
    }

    private static long count(String index, String query) throws IOException {
        return call(DATA, "POST", "/" + index + "/_count", query, 200).path("count").asLong();
    }

    /**
     * Asserts that two searches found the same documents in the same order with the same scores, and returns how
     * far apart the scores were in units in the last place. Scores may differ by {@value #SCORE_ULPS} ulps: Lucene
     * sums a vector similarity over SIMD lanes (the Vector API, whose float reductions may add in a different order
     * in interpreted and in JIT-compiled code), and a data node that has served many searches before the restart
     * scored a document one ulp apart from the same node freshly started, with the same query vector.
     */
    private static int assertSameHits(String query, JsonNode before, JsonNode after) {
        String both = query + ": " + before + " before, " + after + " after";
        assertEquals(both, before.size(), after.size());
        int worst = 0;
        for (int j = 0; j < before.size(); j++) {
            assertEquals(both, before.get(j).path("id").asText(), after.get(j).path("id").asText());
            float a = before.get(j).path("score").floatValue();
            float b = after.get(j).path("score").floatValue();
            int ulps = Math.abs(Float.floatToIntBits(a) - Float.floatToIntBits(b)); // scores are positive: bits order like values
            assertTrue(both, ulps <= SCORE_ULPS);
            worst = Math.max(worst, ulps);
        }
        return worst;
    }

    private static JsonNode vectorsOf(JsonNode embedResponse) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode e : embedResponse.path("embeddings")) {
            out.add(e.path("vector"));
        }
        return out;
    }

    private static JsonNode hitsOf(JsonNode search) {
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode h : search.path("hits").path("hits")) {
            out.addObject().put("id", h.path("_id").asText()).put("score", h.path("_score").floatValue());
        }
        return out;
    }

    /** The stats API's {@code nodes} object: per node, each model's state and counters. */
    private static JsonNode statsByNode() throws IOException {
        return call(DATA, "GET", "/_plugins/_llm_retriever/stats", null, 200).path("nodes");
    }

    private static String modelState(int node, String model) throws IOException {
        return statsByNode().path(cluster.nodes().get(node).name()).path("models").path(model).path("state").asText();
    }

    private static LocalHttp.Response embed(String model, List<String> texts, AtomicInteger finished) throws IOException {
        try {
            return send(DATA, "POST", "/_plugins/_llm_retriever/models/" + model + "/_embed", JSON.writeValueAsString(Map.of("texts", texts)));
        } finally {
            finished.incrementAndGet();
        }
    }

    /** Waits until the inference node has received {@code n} requests for the model (so they are in its queue). */
    private static void awaitModelRequests(String model, int n, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            JsonNode st = call(INFERENCE, "GET", "/_plugins/_llm_retriever/stats", null, 200)
                .path("nodes").path("node-1").path("models").path(model).path("stats");
            if (st.path("requests").asInt() >= n) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the inference node did not receive " + n + " requests for " + model + " within " + seconds + " s");
    }

    private static void awaitCount(AtomicInteger counter, int n, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (counter.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + counter.get() + " of " + n + " bulks within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> out = new ArrayList<>();
        o.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Set<Integer> without(Set<Integer> s, Integer... ok) {
        Set<Integer> out = new java.util.TreeSet<>(s);
        out.removeAll(Set.of(ok));
        return out;
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.isEmpty() ? Double.NaN : s.get(Math.min(s.size() - 1, (int) Math.ceil(p * s.size()) - 1));
    }

    /** When and where the figures were taken: date, CPU model (as lscpu names it), CPUs, memory and test order. */
    private static ObjectNode runDescription() throws IOException {
        ObjectNode run = JSON.createObjectNode();
        run.put("date", LocalDate.now().toString());
        String cpu = "unknown";
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            cpu = Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
        }
        run.put("cpu_model", cpu);
        run.put("cpus", Runtime.getRuntime().availableProcessors());
        long bytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        run.put("memory_gib", Math.round(bytes / (double) (1L << 30)));
        run.put("test_order", TestOrder.CHOSEN);
        return run;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
