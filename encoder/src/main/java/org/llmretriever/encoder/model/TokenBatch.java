package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Token sequences padded into one {@code [B, T]} batch, left or right. Rotary positions count from 0 at each
 * sequence's first real token, so a sequence gets the same positions whatever the padding.
 */
public final class TokenBatch {
    /** Which side receives padding. */
    public enum PaddingSide { LEFT, RIGHT }

    private final List<long[]> sequences;
    private final int length;
    private final long padId;
    private final PaddingSide side;

    private TokenBatch(List<long[]> sequences, int length, long padId, PaddingSide side) {
        this.sequences = sequences;
        this.length = length;
        this.padId = padId;
        this.side = side;
    }

    /** Pads {@code sequences} (each non-empty) to the longest. */
    public static TokenBatch of(List<long[]> sequences, long padId, PaddingSide side) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int max = 0;
        for (long[] s : sequences) {
            if (s.length == 0) {
                throw new IllegalArgumentException("empty token sequence in batch");
            }
            max = Math.max(max, s.length);
        }
        return new TokenBatch(sequences, max, padId, side);
    }

    /** B. */
    public int size() {
        return sequences.size();
    }

    /** T. */
    public int length() {
        return length;
    }

    /** Padding side. */
    public PaddingSide side() {
        return side;
    }

    /** Real tokens in the batch. */
    public long realTokens() {
        long n = 0;
        for (long[] s : sequences) {
            n += s.length;
        }
        return n;
    }

    /** B × T. */
    public long paddedTokens() {
        return (long) size() * length;
    }

    /** Index (in [0, T)) of the first real token of sequence {@code b}. */
    public int start(int b) {
        return side == PaddingSide.LEFT ? length - sequences.get(b).length : 0;
    }

    /** Real length of sequence {@code b}. */
    public int length(int b) {
        return sequences.get(b).length;
    }

    /** The sequences. */
    public List<long[]> sequences() {
        return sequences;
    }

    /**
     * The batch as arrays in {@code m}.
     *
     * @param ids token ids, int64 {@code [B, T]} (pad id where there is no token)
     * @param positions rotary positions, int64 {@code [B, T]} (0 on padding)
     * @param keyValid which positions hold a token, bool {@code [B, T]}
     */
    public record Inputs(NDArray ids, NDArray positions, NDArray keyValid) {}

    /** The batch as {@link Inputs} in {@code m}. */
    public Inputs toArrays(NDManager m) {
        int b = size();
        long[] ids = new long[b * length];
        long[] pos = new long[b * length];
        boolean[] valid = new boolean[b * length];
        for (int i = 0; i < b; i++) {
            long[] s = sequences.get(i);
            int start = start(i);
            for (int t = 0; t < length; t++) {
                int j = i * length + t;
                int rel = t - start;
                if (rel >= 0 && rel < s.length) {
                    ids[j] = s[rel];
                    pos[j] = rel;
                    valid[j] = true;
                } else {
                    ids[j] = padId;
                    pos[j] = 0;
                }
            }
        }
        Shape shape = new Shape(b, length);
        return new Inputs(m.create(ids, shape), m.create(pos, shape), m.create(valid, shape));
    }
}
