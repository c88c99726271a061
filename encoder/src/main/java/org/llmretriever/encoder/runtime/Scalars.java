package org.llmretriever.encoder.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.function.BinaryOperator;

/**
 * Element-wise operations between an array and a Java number, safe under autograd.
 *
 * <p>Why not DJL's own {@code x.mul(2f)}: DJL's PyTorch engine turns the number into a 0-d tensor with
 * {@code torch::from_blob} over a Java direct buffer, applies the op and closes the tensor. Closing drops the
 * Java side's reference to the buffer, but autograd keeps the tensor for the backward pass (the derivative of
 * {@code x * s} needs {@code s}). Once the garbage collector frees the buffer and the memory is reused, the
 * backward pass reads garbage: wrong or non-finite gradients, depending on when the collector ran. Here the
 * 0-d tensor comes from {@code torch::full}, so libtorch owns its memory and reference counting keeps it alive
 * for as long as autograd needs it. Numbers become float32 0-d tensors (DJL made float32 for a float, int32 or
 * float64 for an int or a double); a 0-d operand does not decide the result type of a floating-point array, so
 * every result in this project is unchanged.
 *
 * <p>Never call an {@link NDArray} method that takes a {@link Number} in this project; {@code ScalarOpsGuardTest}
 * checks the compiled classes.
 */
public final class Scalars {
    private Scalars() {}

    /** {@code x * s}. */
    public static NDArray mul(NDArray x, double s) {
        return apply(x, s, NDArray::mul);
    }

    /** {@code x / s}. */
    public static NDArray div(NDArray x, double s) {
        return apply(x, s, NDArray::div);
    }

    /** {@code x + s}. */
    public static NDArray add(NDArray x, double s) {
        return apply(x, s, NDArray::add);
    }

    /** {@code x - s}. */
    public static NDArray sub(NDArray x, double s) {
        return apply(x, s, NDArray::sub);
    }

    /** {@code x ^ s}. */
    public static NDArray pow(NDArray x, double s) {
        return apply(x, s, NDArray::pow);
    }

    /** {@code max(x, s)} element-wise. */
    public static NDArray maximum(NDArray x, double s) {
        return apply(x, s, NDArray::maximum);
    }

    /** {@code x < s} element-wise (boolean). */
    public static NDArray lt(NDArray x, double s) {
        return apply(x, s, NDArray::lt);
    }

    /** {@code x > s} element-wise (boolean). */
    public static NDArray gt(NDArray x, double s) {
        return apply(x, s, NDArray::gt);
    }

    /** In place: {@code x *= s}; returns {@code x}. */
    public static NDArray muli(NDArray x, double s) {
        return apply(x, s, NDArray::muli);
    }

    /** {@code op(x, s)} with {@code s} a float32 0-d tensor in {@code x}'s manager, in memory libtorch owns. */
    private static NDArray apply(NDArray x, double s, BinaryOperator<NDArray> op) {
        try (NDArray scalar = x.getManager().full(new Shape(), (float) s, DataType.FLOAT32)) {
            return op.apply(x, scalar);
        }
    }
}
