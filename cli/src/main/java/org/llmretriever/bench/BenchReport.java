package org.llmretriever.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects benchmark numbers, prints them as a table and writes them as JSON. */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String title;
    private final ObjectNode root = JSON.createObjectNode();
    private final List<String[]> rows = new ArrayList<>();

    /** A report titled e.g. "encoder". */
    public BenchReport(String title) {
        this.title = title;
        root.put("benchmark", title);
        root.put("java", System.getProperty("java.version"));
        root.put("cpus", Runtime.getRuntime().availableProcessors());
    }

    /** Records a number under a JSON key, with a human label and unit for the table. */
    public BenchReport put(String key, double value, String label, String unit) {
        root.put(key, value);
        rows.add(new String[] { label, format(value), unit, key });
        return this;
    }

    /** Records a string field (JSON only). */
    public BenchReport note(String key, String value) {
        root.put(key, value);
        return this;
    }

    /** The JSON tree, for nested details. */
    public ObjectNode json() {
        return root;
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return String.format("%,d", (long) v);
        }
        return Math.abs(v) >= 100 ? String.format("%,.1f", v) : String.format("%.3f", v);
    }

    /** Prints the table. */
    public void print(PrintStream out) {
        int w = rows.stream().mapToInt(r -> r[0].length()).max().orElse(10);
        out.println();
        out.println("== " + title + " ==");
        for (String[] r : rows) {
            out.printf("  %-" + w + "s  %14s %-8s (%s)%n", r[0], r[1], r[2], r[3]);
        }
    }

    /** Writes the JSON (parent directories created). */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), root);
    }
}
