package org.llmretriever.encoder;

import java.util.Locale;

/** What a text is: a search query or an indexed passage (they may get different prompts and pooling). */
public enum Kind {
    /** A search query. */
    QUERY,
    /** A passage/document to index. */
    PASSAGE;

    /** Parses {@code query} / {@code passage} (case-insensitive). */
    public static Kind parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("kind must be 'query' or 'passage', got '" + s + "'");
        }
    }
}
