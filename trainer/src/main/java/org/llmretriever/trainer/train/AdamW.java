package org.llmretriever.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.llmretriever.encoder.runtime.Scalars;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay) over named parameters, with moments kept in float32. Updates run in place with
 * autograd off, between backward passes.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long t;

    /** Usual betas (0.9, 0.999), eps 1e-8. */
    public AdamW(double weightDecay) {
        this(0.9, 0.999, 1e-8, weightDecay);
    }

    AdamW(double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Steps taken. */
    public long steps() {
        return t;
    }

    /** First and second moments by parameter name (for checkpoints). */
    public Map<String, NDArray> moments() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put("m." + k, a));
        v.forEach((k, a) -> out.put("v." + k, a));
        return out;
    }

    /** Restores state from a checkpoint. */
    public void restore(long steps, Map<String, float[]> moments, List<TrainableParam> params, NDManager manager) {
        t = steps;
        if (steps == 0) {
            return; // a phase that had not started: no moments yet
        }
        for (TrainableParam p : params) {
            float[] mm = moments.get("m." + p.name());
            float[] vv = moments.get("v." + p.name());
            if (mm == null || vv == null) {
                throw new IllegalStateException("checkpoint has no optimizer state for " + p.name());
            }
            m.put(p.name(), manager.create(mm, p.array().getShape()));
            v.put(p.name(), manager.create(vv, p.array().getShape()));
        }
    }

    /** One update of every parameter that has a gradient, with learning rate {@code lr}. */
    public void step(List<TrainableParam> params, double lr, NDManager manager) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (TrainableParam p : params) {
            NDArray w = p.array();
            try (NDManager s = manager.newSubManager()) {
                NDArray g = p.gradient(s);
                NDArray mm = m.computeIfAbsent(p.name(), k -> manager.zeros(w.getShape(), DataType.FLOAT32));
                NDArray vv = v.computeIfAbsent(p.name(), k -> manager.zeros(w.getShape(), DataType.FLOAT32));
                // An op's result lives in its first operand's manager: lend the long-lived arrays to the scratch
                // scope so every temporary below dies with it (they return to their owner when it closes).
                mm.tempAttach(s);
                vv.tempAttach(s);
                w.tempAttach(s);
                Scalars.muli(mm, (float) beta1).addi(Scalars.mul(g, (float) (1 - beta1)));
                Scalars.muli(vv, (float) beta2).addi(Scalars.mul(g.square(), (float) (1 - beta2)));
                NDArray update = Scalars.div(mm, (float) c1).div(Scalars.add(Scalars.div(vv, (float) c2).sqrt(), (float) eps));
                if (weightDecay > 0 && p.decay()) {
                    update = update.add(Scalars.mul(w.toType(DataType.FLOAT32, false), (float) weightDecay));
                }
                if (p.rowMask() != null) {
                    update = update.mul(p.rowMask());
                }
                update = Scalars.mul(update, (float) lr);
                p.subtract(update);
            }
        }
    }
}
