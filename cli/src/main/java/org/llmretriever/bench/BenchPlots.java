package org.llmretriever.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PNG plots of a combined benchmark report ({@code bench all}): encoder throughput by batch size, latency
 * percentiles, and MFU of inference and of each training objective against the same-run matmul ceiling.
 */
public final class BenchPlots {
    private BenchPlots() {}

    /** Writes the plots next to each other in {@code dir}; returns the files written. */
    public static List<Path> write(JsonNode all, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        JsonNode enc = all.path("encoder");
        JsonNode plugin = all.path("plugin");
        JsonNode trainer = all.path("trainer");

        JsonNode byBatch = enc.path("throughput_by_batch_size");
        if (byBatch.size() > 0) {
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            byBatch.fields().forEachRemaining(e -> {
                x.add(e.getKey());
                y.add(e.getValue().asDouble());
            });
            CategoryChart c = new CategoryChartBuilder().width(700).height(450).title("Encoder throughput by batch size ("
                + enc.path("batch_sweep_tokens_per_sequence").asInt() + "-token passages)").xAxisTitle("batch size").yAxisTitle("tokens/s").build();
            c.getStyler().setLegendVisible(false);
            c.addSeries("tokens/s", x, y);
            files.add(save(c, dir.resolve("throughput_vs_batch_size")));
        }

        List<String> names = new ArrayList<>();
        List<Double> ms = new ArrayList<>();
        addIfPresent(names, ms, "encoder query p50", enc.path("query_latency_ms_p50"));
        addIfPresent(names, ms, "encoder query p90", enc.path("query_latency_ms_p90"));
        addIfPresent(names, ms, "llm_knn p50", plugin.path("llm_knn_p50_ms"));
        addIfPresent(names, ms, "_embed + knn p50", plugin.path("embed_plus_knn_p50_ms"));
        addIfPresent(names, ms, "knn p99 (100k vectors)", plugin.path("knn_p99_ms"));
        if (!names.isEmpty()) {
            CategoryChart c = new CategoryChartBuilder().width(800).height(450).title("Latency").yAxisTitle("ms").build();
            c.getStyler().setLegendVisible(false);
            c.getStyler().setXAxisLabelRotation(20);
            c.addSeries("ms", names, ms);
            files.add(save(c, dir.resolve("latency")));
        }

        List<String> what = new ArrayList<>();
        List<Double> mfu = new ArrayList<>();
        addIfPresent(what, mfu, "embed (inference)", enc.path("mfu"));
        trainer.path("mfu").fields().forEachRemaining(e -> {
            what.add("train " + e.getKey());
            mfu.add(e.getValue().asDouble());
        });
        if (!what.isEmpty()) {
            CategoryChart c = new CategoryChartBuilder().width(700).height(450).title(String.format(
                "MFU vs same-run fp32 matmul ceiling (encoder %.0f, trainer %.0f GFLOP/s)",
                enc.path("ceiling_gflops").asDouble(), trainer.path("ceiling_gflops").asDouble())).yAxisTitle("fraction of ceiling").build();
            c.getStyler().setLegendVisible(false);
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setYAxisMax(1.0);
            c.addSeries("MFU", what, mfu);
            files.add(save(c, dir.resolve("mfu")));
        }
        return files;
    }

    private static void addIfPresent(List<String> names, List<Double> values, String name, JsonNode v) {
        if (v.isNumber()) {
            names.add(name);
            values.add(v.asDouble());
        }
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path base) throws IOException {
        BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        return Path.of(base + ".png");
    }
}
