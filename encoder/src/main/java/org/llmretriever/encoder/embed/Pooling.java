package org.llmretriever.encoder.embed;

import java.util.Locale;

/**
 * How token states become one vector.
 * <ul>
 *   <li>{@code last_token}: the state of the last token (the model's EOS is appended unless the tokenizer ends texts with a special token of its own) — the usual choice for
 *       decoder-only embedders (E5-Mistral, LLM2Vec, RepLLaMA);</li>
 *   <li>{@code mean}: the mean over all real tokens;</li>
 *   <li>{@code weighted_mean}: the mean over all real tokens weighted by each token id's weight from the model
 *       directory's {@link TokenWeights#FILE} (which {@code adapt} writes: the IDF of each token over the index);</li>
 *   <li>{@code text_mean}: the mean over the tokens of the text alone — not BOS or other special tokens, not the
 *       prompt — as LLM2Vec pools ({@code skip_instruction}): the text's token count is taken from tokenizing it
 *       alone, counted back from the end of the prompted text (before the prompt suffix);</li>
 *   <li>{@code suffix_mean}: the mean over the last {@code n} tokens, i.e. LLaRA's placeholder tokens at the end
 *       of the prompt suffix.</li>
 * </ul>
 *
 * @param mode the mode
 * @param tokens tokens averaged by {@code suffix_mean}
 */
public record Pooling(Mode mode, int tokens) {
    /** Pooling modes. */
    public enum Mode { LAST_TOKEN, MEAN, WEIGHTED_MEAN, TEXT_MEAN, SUFFIX_MEAN }

    /** Last-token pooling. */
    public static final Pooling LAST_TOKEN = new Pooling(Mode.LAST_TOKEN, 1);
    /** Mean pooling. */
    public static final Pooling MEAN = new Pooling(Mode.MEAN, 0);
    /** Mean weighted by per-token weights ({@link TokenWeights}). */
    public static final Pooling WEIGHTED_MEAN = new Pooling(Mode.WEIGHTED_MEAN, 0);
    /** Mean over the text's own tokens (prompt and special tokens excluded). */
    public static final Pooling TEXT_MEAN = new Pooling(Mode.TEXT_MEAN, 0);

    /** Validates. */
    public Pooling {
        if (mode == Mode.SUFFIX_MEAN && tokens < 1) {
            throw new IllegalArgumentException("suffix_mean pooling needs at least one token");
        }
    }

    /** Mean over the last {@code n} tokens. */
    public static Pooling suffixMean(int n) {
        return new Pooling(Mode.SUFFIX_MEAN, n);
    }

    /** Parses {@code last_token}, {@code mean}, {@code weighted_mean}, {@code text_mean}, {@code suffix_mean} (8 tokens) or {@code suffix_mean:N}. */
    public static Pooling parse(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("last_token")) {
            return LAST_TOKEN;
        }
        if (v.equals("mean")) {
            return MEAN;
        }
        if (v.equals("weighted_mean")) {
            return WEIGHTED_MEAN;
        }
        if (v.equals("text_mean")) {
            return TEXT_MEAN;
        }
        if (v.equals("suffix_mean")) {
            return suffixMean(8);
        }
        if (v.startsWith("suffix_mean:")) {
            try {
                return suffixMean(Integer.parseInt(v.substring("suffix_mean:".length())));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("pooling must be last_token, mean, weighted_mean, text_mean or suffix_mean[:N], got '" + s + "'");
    }

    @Override
    public String toString() {
        return switch (mode) {
            case LAST_TOKEN -> "last_token";
            case MEAN -> "mean";
            case WEIGHTED_MEAN -> "weighted_mean";
            case TEXT_MEAN -> "text_mean";
            case SUFFIX_MEAN -> "suffix_mean:" + tokens;
        };
    }
}
