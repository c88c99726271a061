package org.llmretriever.trainer.collection;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TREC-style test collection: documents ({@link TrecDocumentReader}: {@code <DOC>} record files, tarballs,
 * directories, CACM's one file per document), topics ({@link TrecTopicsReader}) and qrels ({@link QrelsReader}),
 * checked by {@link CollectionChecks}. Document ids are canonicalized so {@code CACM-115} and {@code CACM-0115}
 * are the same document (CACM's qrels mix both).
 */
public final class TrecLoader {
    private static final Pattern PADDED_ID = Pattern.compile("([A-Za-z]+-)0*(\\d+)");
    private static final Pattern TAG = Pattern.compile("<[^>]+>");
    private static final Pattern CITATION_LINE = Pattern.compile("\\s*\\d+\\s+\\d+\\s+\\d+\\s*");

    private TrecLoader() {}

    /** {@code CACM-0115} → {@code CACM-115}; other ids unchanged. */
    public static String canonicalDocId(String id) {
        Matcher m = PADDED_ID.matcher(id);
        return m.matches() ? m.group(1) + Long.parseLong(m.group(2)) : id;
    }

    /** Loads and checks documents, topic titles and qrels with the default limit on qrels naming unknown documents. */
    public static Dataset load(String name, Path documents, Path topics, Path qrels) throws IOException {
        return load(name, documents, topics, TrecTopicsReader.Field.TITLE, qrels, CollectionChecks.DEFAULT_MAX_UNKNOWN_QRELS, System.err);
    }

    /** Loads documents, topics (the given field as query text) and qrels, then applies {@link CollectionChecks}. */
    public static Dataset load(String name, Path documents, Path topics, TrecTopicsReader.Field field, Path qrels,
                               double maxUnknownQrels, PrintStream warnings) throws IOException {
        Dataset ds = new Dataset(name, loadDocuments(documents), TrecTopicsReader.read(topics, field), QrelsReader.read(qrels));
        CollectionChecks.check(ds, new CollectionChecks.Sources(documents.toString(), topics.toString(), qrels.toString()), maxUnknownQrels, warnings);
        return ds;
    }

    /** All documents in memory, id → (title, text); a repeated id fails, naming the second record. */
    public static Map<String, Dataset.Doc> loadDocuments(Path documents) throws IOException {
        Map<String, Dataset.Doc> docs = new LinkedHashMap<>();
        TrecDocumentReader.read(documents, (id, doc, origin) -> {
            if (docs.putIfAbsent(id, doc) != null) {
                throw new InvalidCollectionException(origin + ": document id " + id + " appears a second time");
            }
        });
        String first = docs.isEmpty() ? null : docs.keySet().iterator().next();
        CollectionChecks.requireDocuments(documents.toString(), docs.size(), first, null);
        return docs;
    }

    /** First non-empty line is the title; the rest (markup and trailing citation triples removed) the text. */
    static Dataset.Doc parseDocument(String raw) {
        List<String> lines = new ArrayList<>();
        for (String l : TAG.matcher(raw).replaceAll("").split("\\R")) {
            if (!CITATION_LINE.matcher(l).matches()) {
                lines.add(l.strip());
            }
        }
        int first = 0;
        while (first < lines.size() && lines.get(first).isEmpty()) {
            first++;
        }
        String title = first < lines.size() ? lines.get(first) : "";
        StringBuilder text = new StringBuilder();
        for (int i = first + 1; i < lines.size(); i++) {
            if (!lines.get(i).isEmpty()) {
                text.append(text.length() > 0 ? " " : "").append(lines.get(i));
            }
        }
        return new Dataset.Doc(title, text.toString());
    }

    /** Topic titles (see {@link TrecTopicsReader}). */
    static Map<String, String> readTopics(Path file) throws IOException {
        return TrecTopicsReader.read(file, TrecTopicsReader.Field.TITLE);
    }
}
