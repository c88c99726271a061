package org.llmretriever.encoder;

/**
 * Result of {@link EncoderModel#embed}: vectors in input order plus what it took.
 *
 * @param vectors one vector per input text
 * @param truncated inputs shortened to max_tokens
 * @param tokens real tokens processed
 * @param paddedTokens tokens processed including padding (B × T summed over batches)
 * @param batches forward passes
 */
public record Embeddings(float[][] vectors, int truncated, long tokens, long paddedTokens, int batches) {
    /** Fraction of processed tokens that were real (1 = no padding). */
    public double paddingEfficiency() {
        return paddedTokens == 0 ? 1.0 : (double) tokens / paddedTokens;
    }
}
