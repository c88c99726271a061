package org.llmretriever.trainer.collection;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SGML as TREC writes it, one line at a time: tags and the text between them, with line numbers for error
 * messages. Working line by line keeps memory flat on multi-gigabyte files; TREC's tags do not span lines. A
 * {@code <} that does not start a tag (as in {@code a < b}) is text. Single-line comments are dropped.
 */
final class TrecMarkup {
    private static final Pattern TAG = Pattern.compile("<!--.*?-->|<(/?)([A-Za-z][\\w.:-]*)(?:\\s[^<>]*)?/?>");

    /** What the scanner reports. */
    interface Handler {
        /** A tag, its name in upper case. */
        void tag(String name, boolean closing, long line) throws IOException;

        /** Text between tags; line ends are reported as {@code "\n"}. */
        void text(CharSequence text) throws IOException;
    }

    private TrecMarkup() {}

    /** Feeds every tag and piece of text of {@code in} to {@code h}; returns the number of lines read. */
    static long scan(BufferedReader in, Handler h) throws IOException {
        String line;
        long n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            Matcher m = TAG.matcher(line);
            int pos = 0;
            while (m.find()) {
                if (m.start() > pos) {
                    h.text(line.subSequence(pos, m.start()));
                }
                if (m.group(2) != null) {
                    h.tag(m.group(2).toUpperCase(Locale.ROOT), !m.group(1).isEmpty(), n);
                }
                pos = m.end();
            }
            if (pos < line.length()) {
                h.text(line.subSequence(pos, line.length()));
            }
            h.text("\n");
        }
        return n;
    }

    /** Runs of whitespace as one space, ends stripped. */
    static String normalize(CharSequence s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00a0') {
                space = out.length() > 0;
            } else {
                if (space) {
                    out.append(' ');
                    space = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
