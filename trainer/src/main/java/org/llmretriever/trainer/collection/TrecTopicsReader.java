package org.llmretriever.trainer.collection;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TREC topics in the forms collections ship them: {@code <top>} blocks whose {@code <num>}, {@code <title>},
 * {@code <desc>} and {@code <narr>} may or may not be closed (ad hoc tracks leave them open and prefix
 * {@code Number:}, {@code Topic:}, {@code Description:}, {@code Narrative:}; smaller collections close them), and
 * CACM's {@code <DOC><DOCNO>} form, where the whole text is the query. Tags are read as tags, never as part of an
 * id, so {@code <num>1</num><title>} is topic {@code 1}.
 */
public final class TrecTopicsReader {
    /** Which part of a {@code <top>} topic is the query text. */
    public enum Field {
        TITLE("title"), DESC("desc"), TITLE_DESC("title+desc");

        private final String option;

        Field(String option) {
            this.option = option;
        }

        /** From its option value ({@code title}, {@code desc}, {@code title+desc}). */
        public static Field parse(String s) {
            for (Field f : values()) {
                if (f.option.equalsIgnoreCase(s.strip())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown topic field '" + s + "' (title, desc, title+desc)");
        }

        @Override
        public String toString() {
            return option;
        }
    }

    private TrecTopicsReader() {}

    /** Topic id → query text, in file order; a topic without a number or a repeated number fails with file and line. */
    public static Map<String, String> read(Path file, Field field) throws IOException {
        Parser p = new Parser(file, field);
        try (BufferedReader in = Inputs.reader(file)) {
            TrecMarkup.scan(in, p);
            p.end();
        }
        if (p.topics.isEmpty()) {
            throw new DatasetFormatException(file, 1, "no topics found (expected <top><num>…<title>… or <DOC><DOCNO>… blocks)");
        }
        return p.topics;
    }

    private static final class Parser implements TrecMarkup.Handler {
        private final Path file;
        private final Field field;
        final Map<String, String> topics = new LinkedHashMap<>();
        private final Map<String, Long> lineOf = new HashMap<>();
        private final Map<String, StringBuilder> parts = new HashMap<>();
        private String block;      // "TOP" or "DOC" while inside one
        private String current;    // the part text goes to, null for none
        private long blockLine;

        Parser(Path file, Field field) {
            this.file = file;
            this.field = field;
        }

        @Override
        public void tag(String name, boolean closing, long line) throws IOException {
            if (name.equals("TOP") || name.equals("DOC")) {
                if (block != null) {
                    finish();
                }
                if (!closing) {
                    block = name;
                    blockLine = line;
                    current = name.equals("DOC") ? "BODY" : null;
                }
                return;
            }
            if (block == null) {
                return;
            }
            if (block.equals("DOC")) {
                current = name.equals("DOCNO") && !closing ? "NUM" : "BODY";
            } else {
                // any other opening tag (<con>, <fac>, <smry> in old topics) ends the previous part
                current = closing ? null : name;
            }
        }

        @Override
        public void text(CharSequence s) {
            if (block != null && current != null) {
                parts.computeIfAbsent(current, k -> new StringBuilder()).append(s);
            }
        }

        private String part(String name, String prefix) {
            StringBuilder b = parts.get(name);
            String s = b == null ? "" : TrecMarkup.normalize(b);
            return s.regionMatches(true, 0, prefix, 0, prefix.length()) ? s.substring(prefix.length()).strip() : s;
        }

        private void finish() throws IOException {
            String num = part("NUM", "Number:");
            if (num.isEmpty()) {
                throw new DatasetFormatException(file, blockLine, "topic without a number (<num> or <DOCNO>)");
            }
            String id = num.split(" ")[0];
            String text;
            if (block.equals("DOC")) {
                text = part("BODY", "");
            } else {
                String title = part("TITLE", "Topic:");
                String desc = part("DESC", "Description:");
                text = switch (field) {
                    case TITLE -> title;
                    case DESC -> desc;
                    case TITLE_DESC -> (title + " " + desc).strip();
                };
            }
            Long previous = lineOf.put(id, blockLine);
            if (previous != null) {
                throw new DatasetFormatException(file, blockLine, "topic " + id + " again (first at line " + previous + ")");
            }
            topics.put(id, text);
            parts.clear();
            block = null;
            current = null;
        }

        void end() throws IOException {
            if (block != null) {
                finish();
            }
        }
    }
}
