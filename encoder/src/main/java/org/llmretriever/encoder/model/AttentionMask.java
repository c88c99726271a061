package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;

/**
 * Which keys each query may attend to. The usual case is {@link #causal}: causal order plus the padding mask
 * (and the model's sliding window, if any). {@link #explicit} gives a full per-sequence matrix instead, e.g.
 * LLaRA's "the predict suffix cannot see the summarize suffix".
 */
public final class AttentionMask {
    private final NDArray keyValid;
    private final NDArray allowed;

    private AttentionMask(NDArray keyValid, NDArray allowed) {
        this.keyValid = keyValid;
        this.allowed = allowed;
    }

    /** Causal attention over the real tokens: {@code keyValid [B, T]} boolean, true for real tokens. */
    public static AttentionMask causal(NDArray keyValid) {
        return new AttentionMask(keyValid, null);
    }

    /**
     * Bidirectional attention over the real tokens: every token attends to every real token of its sequence
     * ({@code keyValid [B, T]} boolean). The sliding window, if any, does not apply.
     */
    public static AttentionMask bidirectional(NDArray keyValid) {
        return new AttentionMask(keyValid, keyValid.expandDims(1)); // [B, 1, T]: the same keys for every query
    }

    /**
     * An explicit mask {@code allowed [B, T, T]} boolean: query i may attend key j. Padding must already be
     * excluded by the caller; the sliding window does not apply.
     */
    public static AttentionMask explicit(NDArray keyValid, NDArray allowed) {
        return new AttentionMask(keyValid, allowed);
    }

    /** {@code [B, T]} boolean. */
    public NDArray keyValid() {
        return keyValid;
    }

    /** {@code [B, T, T]} (or {@code [B, 1, T]}, the same for every query) boolean, or null for causal. */
    public NDArray allowed() {
        return allowed;
    }

    /** Whether this is the causal kind. */
    public boolean isCausal() {
        return allowed == null;
    }
}
