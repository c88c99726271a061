package org.llmretriever.encoder;

/** What a text is: a search query or an indexed passage (they may get different prompts and pooling). */
public enum Kind {
    /** A search query. */
    QUERY,
    /** A passage/document to index. */
    PASSAGE;

    /** Parses {@code query} / {@code passage} (case-insensitive). */
    public static Kind parse(String s) {
        return EnumNames.parse(Kind.class, s, "kind must be 'query' or 'passage'");
    }
}
