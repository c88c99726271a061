package org.llmretriever.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.trainer.client.SearchClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The plugin inside a real local node, measured against the encoder alone in the same run:
 * <ul>
 *   <li>ingest docs/s through {@code _bulk} + {@code llm_embedding} vs embedding the same docs in-process;</li>
 *   <li>ingest with {@code batch_size} 32 vs 1 (one document per embedding call);</li>
 *   <li>{@code llm_knn} latency vs {@code _embed} + a plain {@code knn} query, over 100k random vectors.</li>
 * </ul>
 */
public final class PluginBenchmark extends Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, String> nodeSettings;
    private final int bulkConcurrency;

    /** {@code quick} shrinks every size (smoke run); node settings and concurrent bulk requests are tunable. */
    public PluginBenchmark(PrintStream out, boolean quick, Map<String, String> nodeSettings, int bulkConcurrency) {
        super(out, quick);
        this.nodeSettings = nodeSettings;
        this.bulkConcurrency = bulkConcurrency;
    }

    static ObjectNode config(int hidden, int layers, int inter) {
        ObjectNode c = RandomCheckpoints.config("llama");
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", Math.max(1, hidden / 64));
        c.put("num_key_value_heads", Math.max(1, hidden / 64));
        c.put("intermediate_size", inter);
        c.put("initializer_range", 0.02);
        c.put("max_position_embeddings", 1024);
        return c;
    }

    static List<String> documents(int n, long seed) {
        return documents(n, seed, 25, 60);
    }

    /** Random word sequences of {@code minWords..maxWords} words from the sample text. */
    static List<String> documents(int n, long seed, int minWords, int maxWords) {
        String[] words = RandomCheckpoints.SAMPLE_TEXT.trim().split("\\s+");
        Random r = new Random(seed);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = minWords + r.nextInt(maxWords - minWords);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < len; j++) {
                sb.append(j == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            }
            docs.add(sb.toString());
        }
        return docs;
    }

    /** Runs everything; the node is started and stopped here. */
    public BenchReport run(Path work, Path distDir) throws Exception {
        BenchReport rep = new BenchReport("plugin");
        Path models = work.resolve("models");
        FileTrees.deleteRecursively(work);
        int hidden = quick ? 128 : 512;
        RandomCheckpoints.write(models.resolve("bench-ingest"), config(hidden, quick ? 2 : 6, hidden * 11 / 4), 1);
        RandomCheckpoints.write(models.resolve("bench-knn"), config(64, 2, 176), 2);
        int nDocs = quick ? 128 : 768;
        List<String> docs = documents(nDocs, 5);
        rep.json().put("model", "random llama d=" + hidden + ", " + (quick ? 2 : 6) + " layers; " + nDocs + " docs of 25-60 words");

        // 1. encoder alone, same documents and options, in this process (node not yet running: no contention)
        double encoderDocsPerSec;
        try (EncoderModel m = EncoderModel.load(models.resolve("bench-ingest"), EncoderOptions.defaults())) {
            m.embed(docs.subList(0, 16), Kind.PASSAGE);
            long t0 = System.nanoTime();
            m.embed(docs, Kind.PASSAGE);
            encoderDocsPerSec = nDocs / ((System.nanoTime() - t0) / 1e9);
        }
        out.printf("  encoder alone: %.1f docs/s%n", encoderDocsPerSec);

        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = work.resolve("node");
        o.installCacheDir = work.getParent().resolve("install");
        o.clusterName = "bench";
        o.heap = "1g";
        o.settings.put("plugins.llm_retriever.models_path", models.toString());
        o.settings.putAll(nodeSettings);
        rep.json().putPOJO("node_settings", nodeSettings);
        rep.json().put("bulk_concurrency", bulkConcurrency);
        try (LocalCluster cluster = LocalCluster.start(Distribution.fromDirectory(distDir), o);
             SearchClient c = SearchClient.connect(cluster.url(), null, null, false)) {
            c.put("/_plugins/_llm_retriever/models/bench-ingest", Map.of("path", "bench-ingest"));
            c.post("/_plugins/_llm_retriever/models/bench-ingest/_load", null);
            double batched = ingest(c, "ingest-batched", docs, 32, hidden);
            int singleDocs = quick ? 64 : 256;
            double single = ingest(c, "ingest-single", docs.subList(0, singleDocs), 1, hidden);
            double batchedSame = ingest(c, "ingest-batched-2", docs.subList(0, singleDocs), 32, hidden);
            out.printf("  ingest batch_size=32: %.1f docs/s; batch_size=1: %.1f docs/s (same %d docs: %.1f docs/s)%n", batched, single,
                singleDocs, batchedSame);
            rep.put("encoder_docs_per_s", encoderDocsPerSec, "encoder alone", "docs/s");
            rep.put("ingest_docs_per_s", batched, "_bulk + llm_embedding (batch_size 32)", "docs/s");
            rep.put("ingest_vs_encoder", batched / encoderDocsPerSec, "ingest / encoder alone", "ratio");
            rep.put("ingest_single_docs_per_s", single, "_bulk + llm_embedding (batch_size 1)", "docs/s");
            rep.put("batched_vs_single", batchedSame / single, "batched / one document per call (passages)", "ratio");
            List<String> titles = documents(singleDocs, 6, 4, 12);
            double titlesSingle = ingest(c, "titles-single", titles, 1, hidden);
            double titlesBatched = ingest(c, "titles-batched", titles, 32, hidden);
            out.printf("  short texts (4-12 words): batch_size=32 %.1f docs/s, batch_size=1 %.1f docs/s%n", titlesBatched, titlesSingle);
            rep.put("batched_vs_single_short_texts", titlesBatched / titlesSingle, "batched / one document per call (4-12 words)", "ratio");
            knn(rep, c);
            JsonNode stats = c.get("/_plugins/_llm_retriever/stats");
            rep.json().set("node_stats", stats.path("nodes"));
        }
        return rep;
    }

    private double ingest(SearchClient c, String index, List<String> docs, int batchSize, int dim) throws IOException {
        c.put("/" + index, Map.of("settings", Map.of("index.knn", true, "number_of_shards", 1, "number_of_replicas", 0),
            "mappings", Map.of("properties", Map.of("text", Map.of("type", "text"), "v", Map.of("type", "knn_vector", "dimension", dim,
                "method", Map.of("name", "hnsw", "engine", "lucene", "space_type", "cosinesimil"))))));
        c.put("/_ingest/pipeline/" + index, Map.of("processors", List.of(Map.of("llm_embedding",
            Map.of("model", "bench-ingest", "field_map", Map.of("text", "v"), "batch_size", batchSize)))));
        int bulk = 64;
        List<List<Map<String, Object>>> chunks = new ArrayList<>();
        for (int s = 0; s < docs.size(); s += bulk) {
            List<Map<String, Object>> chunk = new ArrayList<>();
            for (String d : docs.subList(s, Math.min(docs.size(), s + bulk))) {
                chunk.add(Map.of("text", d));
            }
            chunks.add(chunk);
        }
        long t0 = System.nanoTime();
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(bulkConcurrency);
        try {
            List<java.util.concurrent.Future<JsonNode>> results = new ArrayList<>();
            for (List<Map<String, Object>> chunk : chunks) {
                results.add(senders.submit(() -> c.bulkIndex(index, chunk, null, index, false)));
            }
            for (java.util.concurrent.Future<JsonNode> f : results) {
                JsonNode r = f.get();
                if (r.path("errors").asBoolean()) {
                    throw new IOException("bulk into " + index + " had errors: " + r.path("items").get(0));
                }
            }
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IOException("bulk into " + index + " failed: " + e.getMessage(), e);
        } finally {
            senders.shutdownNow();
        }
        c.post("/" + index + "/_refresh", null);
        double secs = (System.nanoTime() - t0) / 1e9;
        long count = c.get("/" + index + "/_count").path("count").asLong();
        if (count != docs.size()) {
            throw new IOException(index + " has " + count + " docs, expected " + docs.size());
        }
        return docs.size() / secs;
    }

    private void knn(BenchReport rep, SearchClient c) throws IOException {
        int dim = 64;
        int n = quick ? 5_000 : 100_000;
        c.put("/knn-bench", Map.of("settings", Map.of("index.knn", true, "number_of_shards", 1, "number_of_replicas", 0, "refresh_interval", "-1"),
            "mappings", Map.of("properties", Map.of("v", Map.of("type", "knn_vector", "dimension", dim,
                "method", Map.of("name", "hnsw", "engine", "lucene", "space_type", "cosinesimil"))))));
        Random r = new Random(11);
        long t0 = System.nanoTime();
        for (int s = 0; s < n; s += 5000) {
            List<Map<String, Object>> chunk = new ArrayList<>();
            for (int i = s; i < Math.min(n, s + 5000); i++) {
                float[] v = new float[dim];
                for (int j = 0; j < dim; j++) {
                    v[j] = (float) r.nextGaussian();
                }
                chunk.add(Map.of("v", v));
            }
            JsonNode resp = c.bulkIndex("knn-bench", chunk, null, null, false);
            if (resp.path("errors").asBoolean()) {
                throw new IOException("bulk of random vectors had errors: " + resp.path("items").get(0));
            }
        }
        c.post("/knn-bench/_refresh", null);
        c.post("/knn-bench/_forcemerge?max_num_segments=1", null);
        out.printf("  indexed %d random %d-d vectors in %.1f s%n", n, dim, (System.nanoTime() - t0) / 1e9);
        c.put("/_plugins/_llm_retriever/models/bench-knn", Map.of("path", "bench-knn"));
        c.post("/_plugins/_llm_retriever/models/bench-knn/_load", null);
        List<String> queries = documents(quick ? 40 : 200, 99);
        for (String q : queries.subList(0, 10)) { // warm-up
            llmKnn(c, "warm " + q);
            embedThenKnn(c, "warm " + q);
        }
        int m = queries.size();
        double[] a = new double[m];
        double[] b = new double[m];
        for (int i = 0; i < m; i++) {
            // interleave so drift affects both equally; distinct texts so the query cache never answers
            a[i] = llmKnn(c, "a " + queries.get(i));
            b[i] = embedThenKnn(c, "b " + queries.get(i));
        }
        Arrays.sort(a);
        Arrays.sort(b);
        double p50a = a[m / 2];
        double p50b = b[m / 2];
        double p99a = a[Math.min(m - 1, (int) Math.ceil(m * 0.99) - 1)];
        rep.put("knn_vectors", n, "vectors in the k-NN index", "count");
        rep.put("llm_knn_p50_ms", p50a, "llm_knn latency p50", "ms");
        rep.put("knn_p99_ms", p99a, "llm_knn latency p99", "ms");
        rep.put("embed_plus_knn_p50_ms", p50b, "_embed + knn latency p50", "ms");
        rep.put("knn_p50_ratio", p50a / p50b, "llm_knn / (_embed + knn), p50", "ratio");
    }

    private static double llmKnn(SearchClient c, String text) throws IOException {
        long t0 = System.nanoTime();
        JsonNode r = c.post("/knn-bench/_search", Map.of("size", 10, "_source", false,
            "query", Map.of("llm_knn", Map.of("v", Map.of("query_text", text, "model", "bench-knn", "k", 10)))));
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.path("hits").path("hits").size() != 10) {
            throw new IOException("llm_knn returned " + r.path("hits").path("hits").size() + " hits");
        }
        return ms;
    }

    private static double embedThenKnn(SearchClient c, String text) throws IOException {
        long t0 = System.nanoTime();
        JsonNode e = c.post("/_plugins/_llm_retriever/models/bench-knn/_embed", Map.of("texts", List.of(text), "kind", "query"));
        JsonNode vector = e.path("embeddings").get(0).path("vector");
        Map<String, Object> knn = new LinkedHashMap<>();
        knn.put("vector", vector);
        knn.put("k", 10);
        JsonNode r = c.post("/knn-bench/_search", Map.of("size", 10, "_source", false, "query", Map.of("knn", Map.of("v", knn))));
        double ms = (System.nanoTime() - t0) / 1e6;
        if (r.path("hits").path("hits").size() != 10) {
            throw new IOException("knn returned " + r.path("hits").path("hits").size() + " hits");
        }
        return ms;
    }
}
