package org.llmretriever.trainer.collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** BEIR layout: {@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/<split>.tsv} (header, then query, doc, grade; see {@link QrelsReader}). */
public final class BeirLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BeirLoader() {}

    /** Loads and checks a split (e.g. {@code test}) with the default limit on qrels naming unknown documents. */
    public static Dataset load(Path dir, String split) throws IOException {
        return load(dir, split, CollectionChecks.DEFAULT_MAX_UNKNOWN_QRELS, System.err);
    }

    /** Loads a split (e.g. {@code test}); malformed lines fail with file and line number; then {@link CollectionChecks}. */
    public static Dataset load(Path dir, String split, double maxUnknownQrels, PrintStream warnings) throws IOException {
        Path corpus = dir.resolve("corpus.jsonl");
        Path queries = dir.resolve("queries.jsonl");
        Path qrels = dir.resolve("qrels").resolve(split + ".tsv");
        for (Path p : new Path[] { corpus, queries, qrels }) {
            if (!Files.isRegularFile(p)) {
                throw new IOException("not a BEIR dataset: " + p + " is missing");
            }
        }
        Map<String, Dataset.Doc> docs = new LinkedHashMap<>();
        readJsonl(corpus, (line, n) -> docs.put(id(line, corpus, n), new Dataset.Doc(line.path("title").asText(""), line.path("text").asText(""))));
        Map<String, String> qs = new LinkedHashMap<>();
        readJsonl(queries, (line, n) -> qs.put(id(line, queries, n), line.path("text").asText("")));
        Dataset ds = new Dataset(dir.getFileName().toString(), docs, qs, QrelsReader.read(qrels));
        CollectionChecks.check(ds, new CollectionChecks.Sources(corpus.toString(), queries.toString(), qrels.toString()), maxUnknownQrels, warnings);
        return ds;
    }

    private interface LineHandler {
        void accept(JsonNode line, long number) throws IOException;
    }

    private static void readJsonl(Path file, LineHandler h) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file)) {
            Lines.forEachNonBlank(in, (line, n) -> {
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new DatasetFormatException(file, n, "not valid JSON (" + e.getMessage().split("\n")[0] + ")");
                }
                if (node == null || !node.isObject()) {
                    throw new DatasetFormatException(file, n, "expected a JSON object");
                }
                h.accept(node, n);
            });
        }
    }

    private static String id(JsonNode line, Path file, long n) throws DatasetFormatException {
        JsonNode id = line.get("_id");
        if (id == null || id.isNull() || id.asText().isBlank()) {
            throw new DatasetFormatException(file, n, "missing \"_id\"");
        }
        return id.asText();
    }
}
