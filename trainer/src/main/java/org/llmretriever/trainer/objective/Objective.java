package org.llmretriever.trainer.objective;

import ai.djl.ndarray.NDManager;
import org.llmretriever.trainer.train.TrainContext;

import java.io.IOException;
import java.util.Map;
import java.util.Random;

/** A training objective: builds the loss of one micro-batch from the corpus. */
public interface Objective {
    /** {@code llm2ir}, {@code llara} or {@code clm}. */
    String name();

    /** One-time preparation (token caches, added tokens); must be deterministic. */
    void prepare(TrainContext ctx) throws IOException;

    /** Samples a micro-batch with {@code rng} and returns its loss, built on {@code scratch}. */
    TrainingBatch batch(TrainContext ctx, Random rng, NDManager scratch) throws IOException;

    /**
     * Measures the model during training (called every {@code --probe-every} steps, without gradients): figures that
     * show whether the run is learning, such as held-out retrieval accuracy. Empty by default.
     */
    default Map<String, Double> probe(TrainContext ctx) {
        return Map.of();
    }

    /** How the model embeds after this objective (pooling, prompts). */
    RetrieverConfig retrieverConfig(TrainContext ctx);
}
