package org.llmretriever.encoder.model;

import org.llmretriever.encoder.checkpoint.ModelConfig;

import java.util.Map;

/**
 * What a config implies, without loading weights: the family, embedding dimension, and every tensor the
 * checkpoint must hold with its shape. Used to validate a checkpoint from its headers alone, to load it, and
 * to generate random checkpoints.
 *
 * @param family architecture family ({@code llama}, {@code gpt_neox})
 * @param modelType config.json's {@code model_type}
 * @param hiddenSize embedding dimension
 * @param vocabSize vocabulary size (rows of the input embedding)
 * @param layers decoder layers
 * @param tiedEmbeddings whether the LM head reuses the input embedding
 * @param tensors name → shape of every tensor the model reads
 * @param config the config it was derived from
 */
public record ModelSpec(
    String family,
    String modelType,
    int hiddenSize,
    int vocabSize,
    int layers,
    boolean tiedEmbeddings,
    Map<String, long[]> tensors,
    ModelConfig config
) {
    /** The widest sliding window of any layer, as the family reads its config (0 = none). */
    public int maxSlidingWindow() {
        if (!family.equals("llama")) {
            return 0;
        }
        int max = 0;
        for (int w : LlamaModel.windows(config, layers)) {
            max = Math.max(max, w);
        }
        return max;
    }

    /** Parameters implied by the tensor list. */
    public long parameterCount() {
        long n = 0;
        for (long[] s : tensors.values()) {
            long p = 1;
            for (long d : s) {
                p *= d;
            }
            n += p;
        }
        return n;
    }
}
