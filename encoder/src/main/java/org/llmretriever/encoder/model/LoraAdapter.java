package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import org.llmretriever.encoder.runtime.Scalars;

/**
 * Low-rank update of one projection: {@code delta(x) = dropout(x) A^T B^T * alpha / r} with {@code A [r, in]} and
 * {@code B [out, r]} (PEFT's layout). B starts at zero, so a fresh adapter leaves the model unchanged.
 */
public final class LoraAdapter {
    private final NDArray a;
    private final NDArray b;
    private final float scaling;
    private final float dropout;
    private boolean training;

    /** Wraps existing matrices. */
    public LoraAdapter(NDArray a, NDArray b, float alpha, float dropout) {
        if (a.getShape().dimension() != 2 || b.getShape().dimension() != 2 || a.getShape().get(0) != b.getShape().get(1)) {
            throw new IllegalArgumentException("LoRA A must be [r, in] and B [out, r], got " + a.getShape() + " and " + b.getShape());
        }
        this.a = a;
        this.b = b;
        this.scaling = alpha / a.getShape().get(0);
        this.dropout = dropout;
    }

    /** {@code [r, in]}. */
    public NDArray a() {
        return a;
    }

    /** {@code [out, r]}. */
    public NDArray b() {
        return b;
    }

    /** Rank r. */
    public long rank() {
        return a.getShape().get(0);
    }

    /** alpha / r. */
    public float scaling() {
        return scaling;
    }

    long in() {
        return a.getShape().get(1);
    }

    long out() {
        return b.getShape().get(0);
    }

    /** Dropout is applied only while training. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    NDArray delta(NDArray x) {
        NDArray in = x;
        if (training && dropout > 0) {
            in = x.getNDArrayInternal().dropout(x, dropout, true).singletonOrThrow();
        }
        NDArray low = in.getNDArrayInternal().linear(in, a, null).singletonOrThrow();
        NDArray high = low.getNDArrayInternal().linear(low, b, null).singletonOrThrow();
        NDArray out = Scalars.mul(high, scaling);
        if (in != x) {
            in.close();
        }
        low.close();
        high.close();
        return out;
    }

    /** The dense update {@code B A * scaling}, {@code [out, in]} (for merging). */
    public NDArray deltaWeight() {
        try (NDArray ba = b.matMul(a)) {
            return Scalars.mul(ba, scaling);
        }
    }
}
