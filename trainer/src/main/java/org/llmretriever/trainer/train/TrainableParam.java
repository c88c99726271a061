package org.llmretriever.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.llmretriever.encoder.runtime.Scalars;

/**
 * One trained array: a LoRA matrix, or a full weight; optionally only some rows train (LLaRA's new token
 * embeddings under LoRA), by masking their update.
 *
 * @param name stable name (checkpoints)
 * @param array the parameter (requires gradient)
 * @param rowMask {@code [rows, 1]} float32 of 0/1, or null for all rows
 * @param decay whether weight decay applies
 */
public record TrainableParam(String name, NDArray array, NDArray rowMask, boolean decay) {
    /** The accumulated gradient as float32 (a copy in {@code s}); zeros if none reached it. */
    NDArray gradient(NDManager s) {
        NDArray g = JniUtils.getGradient((PtNDArray) array);
        if (g == null) {
            return s.zeros(array.getShape(), DataType.FLOAT32);
        }
        NDArray f = g.toType(DataType.FLOAT32, true);
        f.attach(s);
        g.close();
        return f;
    }

    /** Squared L2 norm of the (masked) gradient. */
    double gradNormSquared(NDManager s) {
        NDArray g = gradient(s);
        if (rowMask != null) {
            g = g.mul(rowMask);
        }
        return g.square().sum().toType(DataType.FLOAT64, false).getDouble();
    }

    /** Scales the gradient in place (clipping, loss-scale removal). */
    void scaleGradient(float factor) {
        NDArray g = JniUtils.getGradient((PtNDArray) array);
        if (g != null) {
            Scalars.muli(g, factor);
            g.close();
        }
    }

    /** Whether the gradient holds inf/NaN (fp16 overflow). */
    boolean gradientNonFinite(NDManager s) {
        NDArray g = gradient(s);
        return g.isNaN().any().getBoolean() || g.isInfinite().any().getBoolean();
    }

    /** {@code array -= update} in place (autograd off; update float32, cast to the parameter's dtype). */
    void subtract(NDArray update) {
        NDArray u = update.getDataType() == array.getDataType() ? update : update.toType(array.getDataType(), false);
        array.subi(u);
    }

    /** Clears the accumulated gradient (if any reached this parameter). */
    void zeroGradient() {
        NDArray g = JniUtils.getGradient((PtNDArray) array);
        if (g != null) {
            g.close();
            JniUtils.zeroGrad((PtNDArray) array);
        }
    }
}
