package org.llmretriever.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import me.tongfei.progressbar.ProgressBar;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.trainer.collection.Dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.BiFunction;

/**
 * Dense retrieval without a node: embeds a collection in-process with the encoder and ranks by exact cosine. The
 * fast inner loop for trying a recipe (minutes on SciFact train); the engine path ({@link EvalRunner}) stays the
 * reported one, and both must agree on the same model.
 */
public final class LocalDenseSearch {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Texts per call to the encoder: large enough for good batches, small enough for a smooth progress bar. */
    private static final int CHUNK = 256;

    private final EncoderModel model;
    private final BiFunction<String, Long, ProgressBar> bars;

    /** Searches with {@code model} (its options decide pooling, prompts and truncation). */
    public LocalDenseSearch(EncoderModel model, BiFunction<String, Long, ProgressBar> bars) {
        this.model = model;
        this.bars = bars;
    }

    /**
     * The embedding options a model directory is registered with: {@code retriever.json} beside it (written by
     * adapt) when present, then the overrides, as {@code ClusterAccess.register} sends them to the plugin.
     */
    public static EncoderOptions options(Path modelDir, String pooling, Integer maxTokens, String attention) throws IOException {
        EncoderOptions o = EncoderOptions.defaults();
        Path retriever = modelDir.resolveSibling("retriever.json");
        if (Files.isRegularFile(retriever)) {
            JsonNode r = JSON.readTree(retriever.toFile());
            if (r.hasNonNull("pooling")) {
                o = o.withPooling(Pooling.parse(r.get("pooling").asText()));
            }
            o = o.withPrompts(r.path("query_prompt").asText(""), r.path("passage_prompt").asText(""));
            if (r.hasNonNull("attention")) {
                o = o.withAttention(EncoderOptions.Attention.parse(r.get("attention").asText()));
            }
            if (r.hasNonNull("max_tokens")) {
                o = o.withMaxTokens(r.get("max_tokens").asInt());
            }
        }
        if (pooling != null) {
            o = o.withPooling(Pooling.parse(pooling));
        }
        if (maxTokens != null) {
            o = o.withMaxTokens(maxTokens);
        }
        if (attention != null) {
            o = o.withAttention(EncoderOptions.Attention.parse(attention));
        }
        return o;
    }

    /** Embeds every document and judged query of {@code ds}; returns the top {@code k} documents per query by cosine. */
    public Map<String, List<TrecMetrics.Hit>> run(Dataset ds, int k) {
        return runs(ds, k, false).get("dense");
    }

    /**
     * As {@link #run}, and with {@code diagnose} also the run after subtracting the mean document vector from every
     * vector ("dense-centered"): when that scores far better, the model's vectors share one dominant direction
     * (anisotropy) that drowns the query-specific part of the score. Prints the anisotropy figures.
     */
    public Map<String, Map<String, List<TrecMetrics.Hit>>> runs(Dataset ds, int k, boolean diagnose) {
        List<String> docIds = new ArrayList<>(ds.documents().keySet());
        List<String> texts = new ArrayList<>(docIds.size());
        for (String id : docIds) {
            String c = ds.documents().get(id).contents();
            texts.add(c.isBlank() ? "(empty)" : c); // as EvalRunner indexes it
        }
        float[][] docs = embed("embed documents", texts, Kind.PASSAGE);
        List<String> qids = ds.judgedQueries();
        float[][] queries = embed("embed queries", qids.stream().map(ds.queries()::get).toList(), Kind.QUERY);
        Map<String, Map<String, List<TrecMetrics.Hit>>> runs = new LinkedHashMap<>();
        runs.put("dense", search(qids, queries, docs, docIds, k));
        if (diagnose) {
            float[] mean = meanOfUnit(docs);
            double meanNorm = norm(mean);
            System.out.printf("anisotropy: |mean of unit document vectors| = %.4f (mean pairwise cosine ~ %.4f; 0 = isotropic, 1 = all alike)%n",
                meanNorm, meanNorm * meanNorm);
            float[][] centredQueries = minus(queries, mean);
            float[][] centredDocs = minus(docs, mean);
            runs.put("dense-centered", search(qids, centredQueries, centredDocs, docIds, k));
            float[] std = std(centredDocs);
            double[] var = new double[std.length];
            double total = 0;
            for (int j = 0; j < std.length; j++) {
                var[j] = std[j] * std[j];
                total += var[j];
            }
            double[] sorted = var.clone();
            java.util.Arrays.sort(sorted);
            double top = 0;
            for (int j = 1; j <= Math.min(3, sorted.length); j++) {
                top += sorted[sorted.length - j];
            }
            System.out.printf("the 3 largest of %d dimensions hold %.1f%% of the variance across documents (uniform: %.1f%%)%n",
                std.length, 100 * top / total, 300.0 / std.length);
            runs.put("dense-standardized", search(qids, scale(centredQueries, std), scale(centredDocs, std), docIds, k)); // in place: last use
        }
        return runs;
    }

    private static Map<String, List<TrecMetrics.Hit>> search(List<String> qids, float[][] queries, float[][] docs, List<String> docIds, int k) {
        Map<String, List<TrecMetrics.Hit>> run = new LinkedHashMap<>();
        for (int q = 0; q < qids.size(); q++) {
            run.put(qids.get(q), topK(queries[q], docs, docIds, k));
        }
        return run;
    }

    private static float[] meanOfUnit(float[][] v) {
        float[] mean = new float[v[0].length];
        for (float[] row : v) {
            double n = Math.max(1e-12, norm(row));
            for (int j = 0; j < row.length; j++) {
                mean[j] += (float) (row[j] / n / v.length);
            }
        }
        return mean;
    }

    /** Per-dimension standard deviation of already centred rows. */
    private static float[] std(float[][] c) {
        float[] std = new float[c[0].length];
        for (float[] row : c) {
            for (int j = 0; j < row.length; j++) {
                std[j] += row[j] * row[j] / c.length;
            }
        }
        for (int j = 0; j < std.length; j++) {
            std[j] = (float) Math.sqrt(std[j]);
        }
        return std;
    }

    private static float[][] scale(float[][] v, float[] std) {
        for (float[] row : v) {
            for (int j = 0; j < row.length; j++) {
                row[j] /= Math.max(1e-12f, std[j]);
            }
        }
        return v;
    }

    /** Unit vectors minus {@code mean}. */
    private static float[][] minus(float[][] v, float[] mean) {
        float[][] out = new float[v.length][];
        for (int i = 0; i < v.length; i++) {
            double n = Math.max(1e-12, norm(v[i]));
            out[i] = new float[mean.length];
            for (int j = 0; j < mean.length; j++) {
                out[i][j] = (float) (v[i][j] / n) - mean[j];
            }
        }
        return out;
    }

    private float[][] embed(String task, List<String> texts, Kind kind) {
        float[][] out = new float[texts.size()][];
        try (ProgressBar pb = bars.apply(task, (long) texts.size())) {
            for (int s = 0; s < texts.size(); s += CHUNK) {
                List<String> part = texts.subList(s, Math.min(texts.size(), s + CHUNK));
                float[][] v = model.embed(part, kind).vectors();
                System.arraycopy(v, 0, out, s, v.length);
                pb.stepBy(part.size());
            }
        }
        return out;
    }

    /** Exact top-k by cosine (vectors are compared after normalisation, whatever the model's setting). */
    static List<TrecMetrics.Hit> topK(float[] query, float[][] docs, List<String> ids, int k) {
        double qn = norm(query);
        PriorityQueue<TrecMetrics.Hit> heap = new PriorityQueue<>((a, b) -> Double.compare(a.score(), b.score()));
        for (int i = 0; i < docs.length; i++) {
            double dot = 0;
            for (int j = 0; j < query.length; j++) {
                dot += query[j] * docs[i][j];
            }
            double cos = dot / Math.max(1e-12, qn * norm(docs[i]));
            if (heap.size() < k) {
                heap.add(new TrecMetrics.Hit(ids.get(i), cos));
            } else if (cos > heap.peek().score()) {
                heap.poll();
                heap.add(new TrecMetrics.Hit(ids.get(i), cos));
            }
        }
        List<TrecMetrics.Hit> hits = new ArrayList<>(heap);
        hits.sort((a, b) -> Double.compare(b.score(), a.score()));
        return hits;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
