package org.llmretriever.eval;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * TREC-style collections such as CACM: documents as files (a {@code .tar.gz} or a directory; HTML {@code <pre>}
 * or plain text; the id is the file name), topics in {@code <top><num>…<title>…} or {@code <DOC><DOCNO>…} form,
 * qrels as {@code query iteration doc relevance}. Document ids are canonicalized so {@code CACM-115} and
 * {@code CACM-0115} are the same document (CACM's qrels mix both).
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

    /** Loads documents, topics and qrels. */
    public static Dataset load(String name, Path documents, Path topics, Path qrels) throws IOException {
        return new Dataset(name, loadDocuments(documents), readTopics(topics), BeirLoader.readQrels(qrels, false));
    }

    /** Loads the documents only (a {@code .tar.gz} or a directory), id → (title, text). */
    public static Map<String, Dataset.Doc> loadDocuments(Path documents) throws IOException {
        if (!Files.exists(documents)) {
            throw new IOException("TREC documents " + documents + " do not exist");
        }
        Map<String, Dataset.Doc> docs = Files.isDirectory(documents) ? readDirectory(documents) : readTarGz(documents);
        if (docs.isEmpty()) {
            throw new IOException("no documents in " + documents);
        }
        return docs;
    }

    private static Map<String, Dataset.Doc> readTarGz(Path file) throws IOException {
        Map<String, Dataset.Doc> docs = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isFile()) {
                    continue;
                }
                String name = Path.of(e.getName()).getFileName().toString();
                docs.put(canonicalDocId(stripExtension(name)), parseDocument(new String(tar.readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
        return docs;
    }

    private static Map<String, Dataset.Doc> readDirectory(Path dir) throws IOException {
        Map<String, Dataset.Doc> docs = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                docs.put(canonicalDocId(stripExtension(p.getFileName().toString())), parseDocument(Files.readString(p)));
            }
        }
        return docs;
    }

    private static String stripExtension(String n) {
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
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

    private static final Pattern DOC_TOPIC = Pattern.compile("<DOC>\\s*<DOCNO>\\s*(\\S+)\\s*</DOCNO>(.*?)</DOC>", Pattern.DOTALL);
    private static final Pattern TOP_TOPIC = Pattern.compile("<top>(.*?)</top>", Pattern.DOTALL);
    private static final Pattern NUM = Pattern.compile("<num>\\s*(?:Number:)?\\s*(\\S+)");
    private static final Pattern TITLE = Pattern.compile("<title>\\s*(?:Topic:)?(.*?)(?=<desc>|<narr>|</top>|$)", Pattern.DOTALL);

    /** Topics as {@code <DOC><DOCNO>} (CACM) or {@code <top><num><title>} (TREC ad hoc). */
    static Map<String, String> readTopics(Path file) throws IOException {
        String s = Files.readString(file);
        Map<String, String> out = new LinkedHashMap<>();
        Matcher d = DOC_TOPIC.matcher(s);
        while (d.find()) {
            out.put(d.group(1), d.group(2).replaceAll("\\s+", " ").strip());
        }
        if (out.isEmpty()) {
            Matcher t = TOP_TOPIC.matcher(s);
            while (t.find()) {
                Matcher num = NUM.matcher(t.group(1));
                Matcher title = TITLE.matcher(t.group(1));
                if (!num.find() || !title.find()) {
                    throw new DatasetFormatException(file, lineOf(s, t.start()), "topic without <num> or <title>");
                }
                out.put(num.group(1), title.group(1).replaceAll("\\s+", " ").strip());
            }
        }
        if (out.isEmpty()) {
            throw new DatasetFormatException(file, 1, "no topics found (expected <DOC><DOCNO> or <top><num><title> blocks)");
        }
        return out;
    }

    private static long lineOf(String s, int offset) {
        return s.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
    }
}
