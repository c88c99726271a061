package org.llmretriever.trainer.collection;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * Streams the documents of a TREC-style collection, one record at a time, so a multi-gigabyte collection never
 * has to fit in memory. Accepted: a file of {@code <DOC>} records (plain or compressed), a tarball, or a directory
 * of such files. Inside a directory or tarball, a file whose first line is not {@code <DOC>} is one document
 * whose id is its file name (CACM's one-file-per-document tarball); a file named directly must hold records,
 * because reading a whole collection file as one document is the failure this reader exists to prevent.
 *
 * <p>In a record, the id is {@code <DOCNO>} (spaces around it ignored); the text is {@code <TEXT>} if the record
 * has one, otherwise everything between the tags that is not the id or the title; {@code <HEADLINE>},
 * {@code <TITLE>}, {@code <HEAD>} (and WSJ's {@code <HL>}) are the title. Other tags are dropped and their text kept.
 */
public final class TrecDocumentReader {
    /** Receives each document; {@code origin} is {@code file:line} of its record, for error messages. */
    @FunctionalInterface
    public interface Sink {
        void accept(String id, Dataset.Doc doc, String origin) throws IOException;
    }

    private TrecDocumentReader() {}

    /** Reads every document under {@code documents} (a file, tarball or directory) into {@code sink}, in file order. */
    public static void read(Path documents, Sink sink) throws IOException {
        if (!Files.exists(documents)) {
            throw new IOException("TREC documents " + documents + " do not exist");
        }
        if (Files.isDirectory(documents)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(documents)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                try (InputStream in = Inputs.open(f)) {
                    readStream(f.toString(), f.getFileName().toString(), in, sink, false);
                }
            }
        } else {
            try (InputStream in = Inputs.open(documents)) {
                readStream(documents.toString(), documents.getFileName().toString(), in, sink, true);
            }
        }
    }

    private static void readStream(String origin, String name, InputStream in, Sink sink, boolean named) throws IOException {
        if (Inputs.isTar(in)) {
            readTar(origin, in, sink);
            return;
        }
        BufferedReader r = Inputs.reader(in);
        if (startsWithDoc(r)) {
            readRecords(origin, r, sink);
        } else if (named) {
            throw new DatasetFormatException(origin, 1, "no <DOC> records (expected <DOC> <DOCNO>id</DOCNO> … </DOC>, "
                + "or a tarball or directory of documents)");
        } else {
            StringBuilder all = new StringBuilder();
            char[] buf = new char[8192];
            for (int n; (n = r.read(buf)) > 0;) {
                all.append(buf, 0, n);
            }
            sink.accept(TrecLoader.canonicalDocId(stripExtensions(name)), TrecLoader.parseDocument(all.toString()), origin);
        }
    }

    private static void readTar(String origin, InputStream in, Sink sink) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(Inputs.shielded(in));
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            if (!e.isFile()) {
                continue;
            }
            String name = Path.of(e.getName()).getFileName().toString();
            InputStream entry = Inputs.decompress(new BufferedInputStream(Inputs.shielded(tar), 1 << 16));
            readStream(origin + "!" + e.getName(), name, entry, sink, false);
        }
    }

    /** {@code CACM-0001.html} → {@code CACM-0001}; {@code wsj_0001.txt.gz} → {@code wsj_0001}. */
    private static String stripExtensions(String n) {
        String s = n.replaceFirst("\\.(gz|z|Z|bz2)$", "");
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s;
    }

    /** Whether the first non-blank text is a {@code <DOC>} tag (looks at most 8 KiB ahead). */
    private static boolean startsWithDoc(BufferedReader r) throws IOException {
        char[] head = new char[8192];
        r.mark(head.length + 1);
        int n = 0;
        for (int k; n < head.length && (k = r.read(head, n, head.length - n)) > 0;) {
            n += k;
        }
        r.reset();
        int i = 0;
        while (i < n && (Character.isWhitespace(head[i]) || head[i] == '\ufeff')) {
            i++;
        }
        return n - i >= 5 && String.valueOf(head, i, 4).equalsIgnoreCase("<DOC")
            && (head[i + 4] == '>' || Character.isWhitespace(head[i + 4]));
    }

    private static void readRecords(String origin, BufferedReader r, Sink sink) throws IOException {
        RecordParser p = new RecordParser(origin, sink);
        TrecMarkup.scan(r, p);
        if (p.inDoc) {
            throw new DatasetFormatException(origin, p.docLine, "<DOC> record is not closed by </DOC> before the end of the file");
        }
    }

    private enum Field { DOCNO, TEXT, TITLE }

    /** The state machine over one file's tags. */
    private static final class RecordParser implements TrecMarkup.Handler {
        private final String origin;
        private final Sink sink;
        private final Deque<Field> open = new ArrayDeque<>();
        private final StringBuilder docno = new StringBuilder();
        private final StringBuilder title = new StringBuilder();
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder bare = new StringBuilder();
        private boolean inDoc;
        private boolean hasText;
        private long docLine;

        RecordParser(String origin, Sink sink) {
            this.origin = origin;
            this.sink = sink;
        }

        @Override
        public void tag(String name, boolean closing, long line) throws IOException {
            if (name.equals("DOC")) {
                if (!closing) {
                    if (inDoc) {
                        throw new DatasetFormatException(origin, line, "<DOC> inside the record opened at line " + docLine + " (missing </DOC>?)");
                    }
                    inDoc = true;
                    docLine = line;
                } else {
                    if (!inDoc) {
                        throw new DatasetFormatException(origin, line, "</DOC> without <DOC>");
                    }
                    finish();
                }
                return;
            }
            Field f = switch (name) {
                case "DOCNO" -> Field.DOCNO;
                case "TEXT" -> Field.TEXT;
                case "HEADLINE", "TITLE", "HEAD", "HL" -> Field.TITLE;
                default -> null;
            };
            if (f == null || !inDoc) {
                return;
            }
            if (!closing) {
                open.push(f);
                if (f == Field.TEXT) {
                    hasText = true;
                } else if (f == Field.TITLE && title.length() > 0) {
                    title.append(' ');
                }
            } else if (open.contains(f)) {
                while (open.pop() != f) {
                    // close what was left open inside it
                }
            }
        }

        @Override
        public void text(CharSequence s) {
            if (!inDoc) {
                return;
            }
            Field f = open.peek();
            (f == null ? bare : f == Field.DOCNO ? docno : f == Field.TITLE ? title : text).append(s);
        }

        private void finish() throws IOException {
            String id = docno.toString().strip();
            if (id.isEmpty()) {
                throw new DatasetFormatException(origin, docLine, "<DOC> record without a <DOCNO>");
            }
            if (id.chars().anyMatch(Character::isWhitespace)) {
                throw new DatasetFormatException(origin, docLine, "<DOCNO> '" + TrecMarkup.normalize(id).substring(0, Math.min(60, id.length()))
                    + "' contains spaces (missing </DOCNO>?)");
            }
            sink.accept(TrecLoader.canonicalDocId(id),
                new Dataset.Doc(TrecMarkup.normalize(title), TrecMarkup.normalize(hasText ? text : bare)), origin + ":" + docLine);
            inDoc = false;
            hasText = false;
            open.clear();
            docno.setLength(0);
            title.setLength(0);
            text.setLength(0);
            bare.setLength(0);
        }
    }
}
