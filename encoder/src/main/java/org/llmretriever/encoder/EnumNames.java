package org.llmretriever.encoder;

import java.util.Locale;

/** Parsing of the option enums from their lower-case names, as settings, REST bodies and the CLI write them. */
final class EnumNames {
    private EnumNames() {}

    /**
     * The constant of {@code type} named {@code text} (case-insensitive, surrounding blanks ignored); anything else,
     * null included, is an {@link IllegalArgumentException} saying {@code expected} and what was given.
     */
    static <E extends Enum<E>> E parse(Class<E> type, String text, String expected) {
        try {
            return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(expected + ", got '" + text + "'");
        }
    }
}
