package org.llmretriever.trainer.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.llmretriever.trainer.collection.Lines;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Documents from a JSON-lines file: one object per line, id from {@code _id} or {@code id} (else the line
 * number), text from the configured fields. A BEIR {@code corpus.jsonl} is this with fields {@code title,text}.
 */
public final class JsonlCorpus implements CorpusSource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final List<String> fields;
    private final CorpusStats stats = new CorpusStats();

    /** Reads {@code file} using {@code fields}. */
    public JsonlCorpus(Path file, List<String> fields) {
        this.file = file;
        this.fields = List.copyOf(fields);
    }

    /** A BEIR directory's {@code corpus.jsonl} (title + text). */
    public static JsonlCorpus beir(Path dir) {
        Path f = dir.resolve("corpus.jsonl");
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(dir + " is not a BEIR dataset directory: corpus.jsonl is missing");
        }
        return new JsonlCorpus(f, List.of("title", "text"));
    }

    @Override
    public void read(Consumer<Document> sink) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("corpus file " + file + " does not exist");
        }
        try (BufferedReader in = Files.newBufferedReader(file)) {
            Lines.forEachNonBlank(in, (line, n) -> {
                stats.read.incrementAndGet();
                JsonNode doc;
                try {
                    doc = JSON.readTree(line);
                } catch (IOException e) {
                    stats.skippedMalformed.incrementAndGet();
                    return;
                }
                if (doc == null || !doc.isObject()) {
                    stats.skippedMalformed.incrementAndGet();
                    return;
                }
                String text = CorpusSource.textOf(doc, fields, stats);
                if (text != null) {
                    String id = doc.hasNonNull("_id") ? doc.get("_id").asText() : doc.hasNonNull("id") ? doc.get("id").asText() : Long.toString(n);
                    sink.accept(new Document(id, text));
                }
            });
        }
    }

    @Override
    public CorpusStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return "JSONL " + file + " (fields " + String.join(",", fields) + ")";
    }
}
