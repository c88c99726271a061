package org.llmretriever.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** BEIR layout: {@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/<split>.tsv} (header, then query, doc, grade). */
public final class BeirLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BeirLoader() {}

    /** Loads a split (e.g. {@code test}); malformed lines fail with file and line number. */
    public static Dataset load(Path dir, String split) throws IOException {
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
        return new Dataset(dir.getFileName().toString(), docs, qs, readQrels(qrels, true));
    }

    private interface LineHandler {
        void accept(JsonNode line, long number) throws IOException;
    }

    private static void readJsonl(Path file, LineHandler h) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
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
            }
        }
    }

    private static String id(JsonNode line, Path file, long n) throws DatasetFormatException {
        JsonNode id = line.get("_id");
        if (id == null || id.isNull() || id.asText().isBlank()) {
            throw new DatasetFormatException(file, n, "missing \"_id\"");
        }
        return id.asText();
    }

    /** Tab- or space-separated {@code query doc grade} (BEIR, with a header) or {@code query 0 doc grade} (TREC). */
    static Map<String, Map<String, Integer>> readQrels(Path file, boolean beir) throws IOException {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file)) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank() || (beir && n == 1 && line.startsWith("query-id"))) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f.length != (beir ? 3 : 4)) {
                    throw new DatasetFormatException(file, n, "expected " + (beir ? "3" : "4") + " columns (" + (beir ? "query-id corpus-id score"
                        : "query-id iteration doc-id relevance") + "), found " + f.length);
                }
                int grade;
                try {
                    grade = Integer.parseInt(f[f.length - 1]);
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file, n, "relevance '" + f[f.length - 1] + "' is not an integer");
                }
                out.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(TrecLoader.canonicalDocId(f[beir ? 1 : 2]), grade);
            }
        }
        return out;
    }
}
