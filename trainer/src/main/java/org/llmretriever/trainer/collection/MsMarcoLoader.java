package org.llmretriever.trainer.collection;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * MS MARCO's TSV layout, as in {@code collectionandqueries.tar.gz}: {@code collection.tsv} ({@code id<TAB>text},
 * or {@code id<TAB>title<TAB>text}), {@code queries.<split>.tsv} ({@code id<TAB>text}) and {@code qrels.<split>.tsv}
 * (TREC's four columns). Split {@code dev.small} is the 6,980-query set that passage-ranking papers (LLaRA among
 * them) report MRR@10 on. Each file may also be gzipped ({@code .tsv.gz}). The collection is streamed line by line.
 */
public final class MsMarcoLoader {
    private MsMarcoLoader() {}

    /** {@code dir}'s {@code collection.tsv} (or {@code .tsv.gz}). */
    public static Path collection(Path dir) throws IOException {
        return existing(dir, "collection.tsv");
    }

    /** Loads and checks a split (e.g. {@code dev.small}). */
    public static Dataset load(Path dir, String split, double maxUnknownQrels, PrintStream warnings) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("MS MARCO directory " + dir + " does not exist");
        }
        Path collection = collection(dir);
        Path queries = existing(dir, "queries." + split + ".tsv");
        Path qrels = existing(dir, "qrels." + split + ".tsv");
        Map<String, Dataset.Doc> docs = new LinkedHashMap<>();
        readCollection(collection, (id, doc, origin) -> {
            if (docs.putIfAbsent(id, doc) != null) {
                throw new InvalidCollectionException(origin + ": document id " + id + " appears a second time");
            }
        });
        Map<String, String> qs = new LinkedHashMap<>();
        readTsv(queries, 2, (f, n) -> qs.put(f[0], f[1]));
        Dataset ds = new Dataset(dir.getFileName().toString(), docs, qs, QrelsReader.read(qrels));
        CollectionChecks.check(ds, new CollectionChecks.Sources(collection.toString(), queries.toString(), qrels.toString()), maxUnknownQrels, warnings);
        return ds;
    }

    /** Streams {@code collection.tsv}; origin is {@code file:line}. */
    public static void readCollection(Path file, TrecDocumentReader.Sink sink) throws IOException {
        readTsv(file, 3, (f, n) -> sink.accept(f[0], f.length == 3 ? new Dataset.Doc(f[1], f[2]) : new Dataset.Doc("", f[1]), file + ":" + n));
    }

    private interface Row {
        void accept(String[] fields, long line) throws IOException;
    }

    /** Lines of 2 (or up to {@code maxColumns}) tab-separated fields with a non-blank id. */
    private static void readTsv(Path file, int maxColumns, Row row) throws IOException {
        try (BufferedReader in = Inputs.reader(file)) {
            Lines.forEachNonBlank(in, (line, n) -> {
                String[] f = line.split("\t", maxColumns);
                if (f.length < 2 || f[0].isBlank()) {
                    throw new DatasetFormatException(file, n, "expected id<TAB>text" + (maxColumns > 2 ? " (or id<TAB>title<TAB>text)" : "")
                        + ", found " + (f.length < 2 ? "no tab" : "no id"));
                }
                f[0] = f[0].strip();
                row.accept(f, n);
            });
        }
    }

    private static Path existing(Path dir, String name) throws IOException {
        for (String n : new String[] { name, name + ".gz" }) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        String present;
        try (Stream<Path> files = Files.list(dir)) {
            present = String.join(", ", files.map(p -> p.getFileName().toString()).filter(s -> s.contains(".tsv")).sorted().toList());
        }
        throw new IOException("not an MS MARCO directory: " + dir.resolve(name) + " is missing (found: "
            + (present.isEmpty() ? "no .tsv files" : present) + ")");
    }
}
