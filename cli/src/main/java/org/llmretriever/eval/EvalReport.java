package org.llmretriever.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.llmretriever.trainer.collection.Dataset;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Metrics per method (means and per query), printed as a table, written as JSON and PNG plots. */
public final class EvalReport {
    /** Metric names, in table order. */
    public static final List<String> METRICS = List.of("ndcg@10", "recall@100", "mrr@10", "map");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String dataset;
    private final String model;
    private final Map<String, Map<String, Map<String, Double>>> perQuery = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> settings = new LinkedHashMap<>();

    /** A report for one dataset and model. */
    public EvalReport(String dataset, String model) {
        this.dataset = dataset;
        this.model = model;
    }

    /** Scores a method's run against the qrels (every judged query counts; missing ones score 0). */
    public void add(String method, Dataset ds, Map<String, List<TrecMetrics.Hit>> run) {
        Map<String, Map<String, Double>> q = new LinkedHashMap<>();
        for (String query : ds.judgedQueries()) {
            Map<String, Integer> rel = ds.qrels().get(query);
            List<String> ranking = TrecMetrics.ranking(run.getOrDefault(query, List.of()));
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("ndcg@10", TrecMetrics.ndcg(ranking, rel, 10));
            m.put("recall@100", TrecMetrics.recall(ranking, rel, 100));
            m.put("mrr@10", TrecMetrics.mrr(ranking, rel, 10));
            m.put("map", TrecMetrics.averagePrecision(ranking, rel));
            q.put(query, m);
        }
        perQuery.put(method, q);
    }

    /** Records how a method was run (e.g. hybrid's dense weight and rank constant); written beside its metrics. */
    public void setting(String method, String name, Object value) {
        settings.computeIfAbsent(method, x -> new LinkedHashMap<>()).put(name, value);
    }

    /** Mean of a metric for a method. */
    public double mean(String method, String metric) {
        return perQuery.get(method).values().stream().mapToDouble(m -> m.get(metric)).average().orElse(0);
    }

    /** Methods scored so far. */
    public List<String> methods() {
        return new ArrayList<>(perQuery.keySet());
    }

    /** The console table. */
    public void print(PrintStream out) {
        out.printf("%n%s — model %s — %d judged queries%n", dataset, model, perQuery.values().iterator().next().size());
        out.printf("%-10s", "method");
        for (String m : METRICS) {
            out.printf("%12s", m);
        }
        out.println();
        for (String method : perQuery.keySet()) {
            out.printf("%-10s", method);
            for (String m : METRICS) {
                out.printf("%12.4f", mean(method, m));
            }
            out.println();
        }
    }

    /** Writes {@code results.json} and the plots into {@code dir}; returns the files. */
    public List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode root = JSON.createObjectNode();
        root.put("dataset", dataset);
        root.put("model", model);
        ObjectNode methods = root.putObject("methods");
        for (String method : perQuery.keySet()) {
            ObjectNode m = methods.putObject(method);
            for (String metric : METRICS) {
                m.put(metric, mean(method, metric));
            }
            if (settings.containsKey(method)) {
                m.set("settings", JSON.valueToTree(settings.get(method)));
            }
            m.set("per_query", JSON.valueToTree(perQuery.get(method)));
        }
        List<Path> files = new ArrayList<>();
        Path json = dir.resolve("results.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), root);
        files.add(json);
        System.setProperty("java.awt.headless", "true");
        CategoryChart bars = new CategoryChartBuilder().width(800).height(500).title(dataset + " — " + model).xAxisTitle("metric")
            .yAxisTitle("score").build();
        for (String method : perQuery.keySet()) {
            List<Double> ys = METRICS.stream().map(metric -> mean(method, metric)).toList();
            bars.addSeries(method, METRICS, ys);
        }
        bars.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        Path barsFile = dir.resolve("metrics.png");
        BitmapEncoder.saveBitmap(bars, barsFile.toString(), BitmapEncoder.BitmapFormat.PNG);
        files.add(barsFile);
        if (perQuery.containsKey("bm25") && perQuery.containsKey("dense")) {
            XYChart scatter = new XYChartBuilder().width(600).height(600).title("nDCG@10 per query: dense vs BM25").xAxisTitle("BM25")
                .yAxisTitle("dense (llm_knn)").build();
            scatter.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter).setXAxisMin(0.0).setXAxisMax(1.0)
                .setYAxisMin(0.0).setYAxisMax(1.0).setMarkerSize(5);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (String q : perQuery.get("bm25").keySet()) {
                x.add(perQuery.get("bm25").get(q).get("ndcg@10"));
                y.add(perQuery.get("dense").get(q).get("ndcg@10"));
            }
            scatter.addSeries("queries", x, y);
            scatter.addSeries("equal", List.of(0.0, 1.0), List.of(0.0, 1.0)).setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line)
                .setMarker(SeriesMarkers.NONE);
            Path scatterFile = dir.resolve("ndcg-dense-vs-bm25.png");
            BitmapEncoder.saveBitmap(scatter, scatterFile.toString(), BitmapEncoder.BitmapFormat.PNG);
            files.add(scatterFile);
        }
        return files;
    }
}
