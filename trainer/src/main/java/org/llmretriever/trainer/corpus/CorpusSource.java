package org.llmretriever.trainer.corpus;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/** Where training text comes from: an OpenSearch index, a JSONL file or a BEIR corpus. */
public interface CorpusSource {
    /** Streams every usable document to {@code sink}; skipped documents are counted in {@link #stats()}. */
    void read(Consumer<Document> sink) throws IOException;

    /** Counts of what {@link #read} found. */
    CorpusStats stats();

    /** For logs, e.g. {@code index scifact at http://127.0.0.1:9200}. */
    String describe();

    /**
     * The text of {@code fields} in a JSON document (dotted paths allowed), joined with newlines; null (and
     * counted) if none is a non-blank string.
     */
    static String textOf(JsonNode doc, List<String> fields, CorpusStats stats) {
        StringBuilder sb = new StringBuilder();
        boolean nonText = false;
        for (String f : fields) {
            JsonNode v = doc;
            for (String part : f.split("\\.")) {
                v = v == null ? null : v.get(part);
            }
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isTextual()) {
                nonText = true;
                continue;
            }
            String t = v.asText().strip();
            if (!t.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(t);
            }
        }
        if (sb.length() == 0) {
            (nonText ? stats.skippedNonText : stats.skippedEmpty).incrementAndGet();
            return null;
        }
        stats.used.incrementAndGet();
        return sb.toString();
    }
}
