package org.llmretriever.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code reliability-report}: renders docs/reliability.md from the figures {@code ClusterFaultIT} writes to
 * {@code src/yamlRestTest/target/reliability.json}. The text is the template {@code reliability-report.md} next to this
 * class; a {@code {{section.figure}}} in it is that figure of the JSON, formatted, and a few names (tables, lists of
 * statuses) are derived here. A figure the JSON lacks (a test that failed records none) is an error, never a blank.
 */
@Command(name = "reliability-report", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Render docs/reliability.md from the figures that ClusterFaultIT writes.",
        "Example:",
        "  ./llm-retriever reliability-report --in src/yamlRestTest/target/reliability.json --out docs/reliability.md"
    })
public final class ReliabilityReportCommand implements Callable<Integer> {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z0-9_.]+)}}");
    /** The sweep's categories, in the order of the table, with what each covers. */
    private static final Map<String, String> BAD_INPUT_CATEGORIES = categories();

    @Option(names = "--in", required = true, description = "The figures: reliability.json of a ClusterFaultIT run.")
    Path in;

    @Option(names = "--out", description = "The Markdown file to write (default: standard output).")
    Path out;

    @Override
    public Integer call() throws IOException {
        String report = render(new ObjectMapper().readTree(in.toFile()));
        if (out == null) {
            System.out.print(report);
        } else {
            Files.writeString(out, report);
            System.out.println("wrote " + out);
        }
        return ExitCodes.OK;
    }

    /** The whole report for these figures. */
    static String render(JsonNode figures) throws IOException {
        String template;
        try (InputStream t = ReliabilityReportCommand.class.getResourceAsStream("reliability-report.md")) {
            template = new String(t.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> derived = derived(figures);
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = derived.containsKey(name) ? derived.get(name) : format(figure(figures, name));
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Values that are not one figure: the machine, lists of statuses, the sweep's table. */
    private static Map<String, String> derived(JsonNode figures) {
        Map<String, String> d = new HashMap<>();
        d.put("machine", String.format(Locale.ROOT, "a %d-CPU / %d GiB machine (%s)", figure(figures, "run.cpus").asInt(),
            figure(figures, "run.memory_gib").asInt(), figure(figures, "run.cpu_model").asText()));

        List<String> errors = new ArrayList<>();
        JsonNode reasons = figure(figures, "kill_inference_node.first_reason_by_kind");
        figure(figures, "kill_inference_node.errors_by_kind").fields().forEachRemaining(e -> errors.add(
            format(e.getValue()) + " × `" + e.getKey() + "` (“" + abbreviate(reasons.path(e.getKey()).asText()) + "”)"));
        d.put("kill.errors", String.join("; ", errors));

        JsonNode bulkItems = figure(figures, "overload.bulk_items_by_status");
        d.put("overload.bulk_items", byStatus(bulkItems));
        d.put("overload.queries", byStatus(figure(figures, "overload.queries_by_status")));
        d.put("overload.acknowledged", String.format(Locale.ROOT, "%,d", bulkItems.path("201").asLong()));
        JsonNode reloads = figure(figures, "lifecycle.requests_during_reloads_by_status");
        long total = 0;
        for (JsonNode n : reloads) {
            total += n.asLong();
        }
        d.put("lifecycle.requests_during_reloads", String.format(Locale.ROOT, "%,d: %s", total, byStatus(reloads)));

        Map<String, String> rows = new LinkedHashMap<>(BAD_INPUT_CATEGORIES);
        JsonNode byCategory = figure(figures, "bad_input.by_category_and_status");
        byCategory.fieldNames().forEachRemaining(c -> rows.putIfAbsent(c, c));
        List<String> lines = new ArrayList<>();
        rows.forEach((category, description) -> {
            JsonNode c = byCategory.path(category);
            if (!c.isMissingNode()) {
                lines.add("| " + description + " | " + c.path("4xx").asLong() + " | " + c.path("2xx").asLong() + " | " + c.path("5xx").asLong() + " |");
            }
        });
        d.put("bad_input.rows", String.join("\n", lines));
        return d;
    }

    /** The figure at a dotted path ({@code overload.seconds}). */
    private static JsonNode figure(JsonNode figures, String path) {
        JsonNode n = figures;
        for (String part : path.split("\\.")) {
            n = n.path(part);
        }
        if (n.isMissingNode() || n.isNull()) {
            throw new IllegalArgumentException("the figures have no " + path + " (did every ClusterFaultIT test pass?)");
        }
        return n;
    }

    /** Integers with thousands separators; times and latencies to 0.1 below 100, else whole; booleans as yes/no. */
    static String format(JsonNode v) {
        if (v.isBoolean()) {
            return v.asBoolean() ? "yes" : "no";
        }
        if (v.isIntegralNumber()) {
            return String.format(Locale.ROOT, "%,d", v.asLong());
        }
        if (v.isNumber()) {
            double d = v.asDouble();
            return String.format(Locale.ROOT, Math.abs(d) < 100 ? "%.1f" : "%,.0f", d);
        }
        if (v.isValueNode()) {
            return v.asText();
        }
        throw new IllegalArgumentException("not a single figure: " + v);
    }

    /** {@code {"200": 23, "429": 157}} as {@code 23 × 200, 157 × 429}. */
    private static String byStatus(JsonNode counts) {
        List<String> parts = new ArrayList<>();
        counts.fields().forEachRemaining(e -> parts.add(format(e.getValue()) + " × " + e.getKey()));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 240 ? oneLine : oneLine.substring(0, 240) + " …";
    }

    private static Map<String, String> categories() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("model definition", "model definition (every parameter: wrong types, ranges, unknown keys, path escapes)");
        c.put("_embed", "`_embed`");
        c.put("llm_embedding processor", "`llm_embedding` processor (pipeline definitions and documents)");
        c.put("llm_knn", "`llm_knn` query");
        c.put("hybrid_rrf", "`hybrid_rrf` query");
        c.put("malformed body", "malformed bodies (truncated JSON, deep nesting, wrong content)");
        c.put("model names", "model names");
        c.put("damaged checkpoints", "damaged checkpoints (config, tokenizer, safetensors header, shapes, missing weights, architecture)");
        return c;
    }
}
