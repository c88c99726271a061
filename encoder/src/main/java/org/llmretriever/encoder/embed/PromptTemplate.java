package org.llmretriever.encoder.embed;

/**
 * A prompt around the text: {@code "Instruct: find passages that answer the query\nQuery: {text}"} or, LLaRA-style,
 * {@code "{text}\nThe above passage in eight words: <s1>...<s8>"}. A template without {@code {text}} is a prefix.
 *
 * @param prefix text before the input
 * @param suffix text after the input
 */
public record PromptTemplate(String prefix, String suffix) {
    /** The placeholder for the input text. */
    public static final String PLACEHOLDER = "{text}";
    /** No prompt. */
    public static final PromptTemplate NONE = new PromptTemplate("", "");

    /** Parses a template (null or empty: no prompt). */
    public static PromptTemplate parse(String template) {
        if (template == null || template.isEmpty()) {
            return NONE;
        }
        int at = template.indexOf(PLACEHOLDER);
        if (at < 0) {
            return new PromptTemplate(template, "");
        }
        if (template.indexOf(PLACEHOLDER, at + 1) >= 0) {
            throw new IllegalArgumentException("a prompt template may contain {text} only once: '" + template + "'");
        }
        return new PromptTemplate(template.substring(0, at), template.substring(at + PLACEHOLDER.length()));
    }

    /** The prompted text. */
    public String apply(String text) {
        return prefix + text + suffix;
    }

    /** Whether this adds anything. */
    public boolean isEmpty() {
        return prefix.isEmpty() && suffix.isEmpty();
    }

    @Override
    public String toString() {
        return isEmpty() ? "" : prefix + PLACEHOLDER + suffix;
    }
}
