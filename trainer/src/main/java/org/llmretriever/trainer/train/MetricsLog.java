package org.llmretriever.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** One JSON object per optimizer step (phase, objective, step, losses, lr, grad norm, tokens/s) in a JSONL file. */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BufferedWriter out;

    /**
     * Opens {@code file}; when resuming at (phase, step), lines of the interrupted run at or after that point are
     * dropped so the log reads as one run.
     */
    public MetricsLog(Path file, int resumePhase, int resumeStep) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        List<String> keep = new ArrayList<>();
        if (Files.isRegularFile(file) && (resumePhase > 0 || resumeStep > 0)) {
            for (String line : Files.readAllLines(file)) {
                JsonNode n = JSON.readTree(line);
                int ph = n.path("phase").asInt();
                int st = n.path("step").asInt();
                if (ph < resumePhase || (ph == resumePhase && st < resumeStep)) {
                    keep.add(line);
                }
            }
        }
        Files.write(file, keep);
        out = Files.newBufferedWriter(file, StandardOpenOption.APPEND);
    }

    /** A fresh record to fill. */
    public ObjectNode record() {
        return JSON.createObjectNode();
    }

    /** Appends a record and flushes. */
    public void write(ObjectNode record) throws IOException {
        out.write(JSON.writeValueAsString(record));
        out.newLine();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
