package org.llmretriever.eval;

import com.fasterxml.jackson.databind.JsonNode;
import me.tongfei.progressbar.ProgressBar;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.trainer.client.SearchClient;
import org.llmretriever.trainer.collection.Dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Runs a dataset through the engine: indexes it through an {@code llm_embedding} pipeline (BM25 on the same
 * {@code contents} field), then retrieves for each judged query with BM25 ({@code match}), dense
 * ({@code llm_knn}) and hybrid ({@code hybrid_rrf}).
 */
public final class EvalRunner {
    private final SearchClient client;
    private final BiFunction<String, Long, ProgressBar> bars;

    /** With a client and a progress-bar factory (task, total). */
    public EvalRunner(SearchClient client, BiFunction<String, Long, ProgressBar> bars) {
        this.client = client;
        this.bars = bars;
    }

    /** What {@link #index} did with an index of that name. */
    public enum Outcome { CREATED, REUSED, REBUILT_STALE }

    /**
     * Creates an index of the dataset embedded by {@code model}, or reuses one that is complete and was embedded by the
     * same model with the same weights and settings ({@code identity}, e.g. {@link #identity}): a model re-registered
     * under the same name with other weights must not be scored against vectors of the old one.
     */
    public Outcome index(Dataset ds, String index, String model, String identity, int dimension, boolean reindex) throws IOException {
        Outcome outcome = Outcome.CREATED;
        if (client.exists("/" + index)) {
            JsonNode meta = client.get("/" + index + "/_mapping").path(index).path("mappings").path("_meta");
            long count = client.get("/" + index + "/_count").path("count").asLong();
            boolean same = model.equals(meta.path("llm_retriever_model").asText())
                && identity.equals(meta.path("llm_retriever_model_identity").asText());
            if (!reindex && same && count == ds.documents().size()) {
                return Outcome.REUSED;
            }
            outcome = same ? Outcome.CREATED : Outcome.REBUILT_STALE;
            client.delete("/" + index);
        }
        String pipeline = "eval-" + model;
        client.put("/_ingest/pipeline/" + pipeline, Map.of("processors", List.of(Map.of("llm_embedding",
            Map.of("model", model, "field_map", Map.of("contents", "vector"), "batch_size", 32)))));
        client.put("/" + index, Map.of(
            "settings", Map.of("index.knn", true, "number_of_shards", 1, "number_of_replicas", 0, "default_pipeline", pipeline,
                "refresh_interval", "-1"),
            "mappings", Map.of("_meta", Map.of("llm_retriever_model", model, "llm_retriever_model_identity", identity), "properties", Map.of(
                "contents", Map.of("type", "text"),
                "vector", Map.of("type", "knn_vector", "dimension", dimension,
                    "method", Map.of("name", "hnsw", "engine", "lucene", "space_type", "cosinesimil"))))));
        List<Map<String, Object>> batch = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try (ProgressBar pb = bars.apply("index " + index, (long) ds.documents().size())) {
            for (Map.Entry<String, Dataset.Doc> e : ds.documents().entrySet()) {
                batch.add(Map.of("contents", e.getValue().contents().isBlank() ? "(empty)" : e.getValue().contents()));
                ids.add(e.getKey());
                if (batch.size() == 64) {
                    send(index, batch, ids);
                    pb.stepBy(64);
                }
            }
            if (!batch.isEmpty()) {
                int n = batch.size();
                send(index, batch, ids);
                pb.stepBy(n);
            }
        }
        client.put("/" + index + "/_settings", Map.of("index.refresh_interval", "1s"));
        client.post("/" + index + "/_refresh", null);
        long count = client.get("/" + index + "/_count").path("count").asLong();
        if (count != ds.documents().size()) {
            throw new IOException(index + " has " + count + " documents, the dataset " + ds.documents().size());
        }
        return outcome;
    }

    /**
     * A fingerprint of what a model's vectors depend on: for a model directory, its files (name, size, modification
     * time), the {@code retriever.json} beside it and the embedding options given on top; for a registered model, its
     * registration (the registry's copy and version).
     */
    public static String identity(Path modelDir, Map<String, Object> options) throws IOException {
        StringBuilder s = new StringBuilder(modelDir.toAbsolutePath().normalize().toString());
        List<Path> files = new ArrayList<>();
        try (var listing = Files.list(modelDir)) {
            listing.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        Path retriever = modelDir.toAbsolutePath().normalize().resolveSibling("retriever.json");
        if (Files.isRegularFile(retriever)) {
            files.add(retriever);
        }
        for (Path f : files) {
            s.append('|').append(FileTrees.stamp(f));
        }
        return sha256(s.append('|').append(new TreeMap<>(options)).toString());
    }

    /** The fingerprint of a model registered as {@code name}: its registry copy and version. */
    public String identity(String name) throws IOException {
        JsonNode m = client.get("/_plugins/_llm_retriever/models/" + name).path("models").path(name);
        return sha256("registered|" + m.path("path").asText() + "|" + m.path("version").asText());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void send(String index, List<Map<String, Object>> batch, List<String> ids) throws IOException {
        JsonNode r = client.bulkIndex(index, batch, ids, null, false);
        if (r.path("errors").asBoolean()) {
            for (JsonNode item : r.path("items")) {
                JsonNode err = item.path("index").path("error");
                if (!err.isMissingNode()) {
                    throw new IOException("indexing into " + index + " failed for document " + item.path("index").path("_id").asText() + ": " + err);
                }
            }
        }
        batch.clear();
        ids.clear();
    }

    /** Query DSL of a method (hybrid with equal weights). */
    static Map<String, Object> query(String method, String text, String model, int k, int rankConstant) {
        return query(method, text, model, k, rankConstant, 1.0);
    }

    /** Query DSL of a method; {@code denseWeight} weighs the dense branch of hybrid against BM25's 1. */
    static Map<String, Object> query(String method, String text, String model, int k, int rankConstant, double denseWeight) {
        Map<String, Object> bm25 = Map.of("match", Map.of("contents", text));
        Map<String, Object> dense = Map.of("llm_knn", Map.of("vector", Map.of("query_text", text, "model", model, "k", k)));
        return switch (method) {
            case "bm25" -> bm25;
            case "dense" -> dense;
            case "hybrid" -> Map.of("hybrid_rrf", Map.of("queries", List.of(bm25, dense), "rank_constant", rankConstant, "window_size", k,
                "weights", List.of(1.0, denseWeight)));
            default -> throw new IllegalArgumentException("unknown method '" + method + "' (bm25, dense, hybrid)");
        };
    }

    /** Top-k hits of every judged query (hybrid with equal weights). */
    public Map<String, List<TrecMetrics.Hit>> run(Dataset ds, String index, String method, String model, int k, int rankConstant)
        throws IOException {
        return run(ds, index, method, model, k, rankConstant, 1.0);
    }

    /** Top-k hits of every judged query; {@code denseWeight} is the dense branch's weight in hybrid (BM25's is 1). */
    public Map<String, List<TrecMetrics.Hit>> run(Dataset ds, String index, String method, String model, int k, int rankConstant,
                                                  double denseWeight) throws IOException {
        Map<String, List<TrecMetrics.Hit>> run = new LinkedHashMap<>();
        List<String> queries = ds.judgedQueries();
        try (ProgressBar pb = bars.apply(method, (long) queries.size())) {
            for (String q : queries) {
                JsonNode r = client.post("/" + index + "/_search", Map.of("size", k, "_source", false,
                    "query", query(method, ds.queries().get(q), model, k, rankConstant, denseWeight)));
                List<TrecMetrics.Hit> hits = new ArrayList<>();
                for (JsonNode h : r.path("hits").path("hits")) {
                    hits.add(new TrecMetrics.Hit(h.path("_id").asText(), h.path("_score").asDouble()));
                }
                run.put(q, hits);
                pb.step();
            }
        }
        return run;
    }
}
