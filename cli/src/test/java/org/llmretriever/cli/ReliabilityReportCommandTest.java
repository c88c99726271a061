package org.llmretriever.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import picocli.CommandLine;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** docs/reliability.md from a small set of figures: every placeholder filled, figures formatted, gaps refused. */
public class ReliabilityReportCommandTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static JsonNode fixture() throws Exception {
        try (InputStream in = ReliabilityReportCommandTest.class.getResourceAsStream("reliability-fixture.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    public void fillsEveryPlaceholderWithItsFormattedFigure() throws Exception {
        String md = ReliabilityReportCommand.render(fixture());
        assertFalse(md, md.contains("{{"));
        assertTrue(md, md.startsWith("# Reliability"));
        assertTrue(md, md.contains("Run of 2026-11-22 on a 2-CPU / 24 GiB machine (Test CPU @ 2.00GHz), tests in reverse order."));
        assertTrue(md, md.contains("| bulks / documents sent | 158 / 3,160 |"));
        assertTrue(md, md.contains("| failed with an error | 2,960: 2,950 × `503 status_exception` (“no inference node for model [m] is available”); "
            + "10 × `bulk_request_io` (“”) |"));
        assertTrue(md, md.contains("| node down | 40.9 s |"));
        assertTrue(md, md.contains("each with the same documents in the same order: **yes** (asserted) |"));
        assertTrue(md, md.contains("| largest score difference | 1 ulp (asserted: at most 4) |"));
        assertTrue(md, md.contains("| bulk items | 672 × 201, 480 × 429 |"));
        assertTrue(md, md.contains("| documents stored with a vector | 673 = 672 acknowledged + 1 indexed after the storm"));
        assertTrue(md, md.contains("| query latency p50 idle / under load / p99 under load | 51.3 ms / 1,264 ms / 4,936 ms |"));
        assertTrue(md, md.contains("| requests during the reloads | 394: 394 × 200 |"));
        assertTrue(md, md.contains("12 bulk clients (6 bulks each of\n16 documents of 48 words, 256-d model)"));
    }

    @Test
    public void listsTheSweepsCategoriesInTableOrderAndUnknownOnesLast() throws Exception {
        String md = ReliabilityReportCommand.render(fixture());
        int definitions = md.indexOf("| model definition (every parameter: wrong types, ranges, unknown keys, path escapes) | 128 | 2 | 0 |");
        int embed = md.indexOf("| `_embed` | 48 | 6 | 0 |");
        int unknown = md.indexOf("| a new category | 3 | 0 | 0 |");
        assertTrue(md, definitions >= 0 && definitions < embed && embed < unknown);
        assertFalse("categories without figures get no row", md.contains("| `hybrid_rrf` query |"));
    }

    @Test
    public void aMissingFigureIsAnErrorThatNamesIt() throws Exception {
        ObjectNode figures = (ObjectNode) fixture();
        figures.remove("overload");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReliabilityReportCommand.render(figures));
        assertTrue(e.getMessage(), e.getMessage().contains("overload."));
        figures.set("overload", fixture().get("overload"));
        ((ObjectNode) figures.get("lifecycle")).remove("reloads_under_traffic");
        e = assertThrows(IllegalArgumentException.class, () -> ReliabilityReportCommand.render(figures));
        assertTrue(e.getMessage(), e.getMessage().contains("lifecycle.reloads_under_traffic"));
    }

    @Test
    public void theCommandWritesTheReport() throws Exception {
        Path in = tmp.getRoot().toPath().resolve("reliability.json");
        Path out = tmp.getRoot().toPath().resolve("reliability.md");
        Files.writeString(in, fixture().toString());
        int code = new CommandLine(new ReliabilityReportCommand()).execute("--in", in.toString(), "--out", out.toString());
        assertEquals(0, code);
        assertEquals(ReliabilityReportCommand.render(fixture()), Files.readString(out));
    }
}
