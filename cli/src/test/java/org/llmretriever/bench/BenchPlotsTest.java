package org.llmretriever.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

/** Plots of a combined report: one PNG per figure present, none for missing sections. */
public class BenchPlotsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void writesOnePngPerFigure() throws Exception {
        JsonNode all = new ObjectMapper().readTree("""
            {"encoder": {"ceiling_gflops": 180, "mfu": 0.6, "query_latency_ms_p50": 40, "query_latency_ms_p90": 55,
                         "batch_sweep_tokens_per_sequence": 128, "throughput_by_batch_size": {"1": 300, "2": 550, "4": 900}},
             "plugin": {"llm_knn_p50_ms": 15, "knn_p99_ms": 30},
             "trainer": {"ceiling_gflops": 175, "mfu": {"llm2ir": 0.6, "llara": 0.45, "clm": 0.5}}}
            """);
        List<Path> files = BenchPlots.write(all, tmp.getRoot().toPath());
        assertEquals(List.of("throughput_vs_batch_size.png", "latency.png", "mfu.png"),
            files.stream().map(p -> p.getFileName().toString()).toList());
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            assertNotNull(f + " is not an image", img);
            assertTrue(img.getWidth() >= 700);
        }
    }

    @Test
    public void sectionsThatDidNotRunGiveNoPlot() throws Exception {
        JsonNode onlyTrainer = new ObjectMapper().readTree("{\"trainer\": {\"ceiling_gflops\": 175, \"mfu\": {\"clm\": 0.5}}}");
        List<Path> files = BenchPlots.write(onlyTrainer, tmp.getRoot().toPath().resolve("sub"));
        assertEquals(List.of("mfu.png"), files.stream().map(p -> p.getFileName().toString()).toList());
    }
}
