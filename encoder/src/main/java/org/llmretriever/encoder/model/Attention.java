package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.llmretriever.encoder.runtime.Scalars;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Scaled dot-product attention with grouped-query heads, two ways:
 * <ul>
 *   <li>full: one {@code [B, H, T, T]} score matrix (fast for short sequences);</li>
 *   <li>block-wise: queries and keys in blocks with an online softmax (running max and sum), so extra memory is
 *       {@code O(T * block)} instead of {@code O(T^2)}; key blocks entirely above the causal diagonal or outside
 *       the sliding window are skipped.</li>
 * </ul>
 * Both give the same result within float32 rounding. Scores and softmax are always float32, also for fp16 models.
 */
final class Attention {
    /** Large negative instead of -inf, so fully masked (padding) rows stay finite instead of NaN. */
    static final float MASKED = -1e9f;

    private Attention() {}

    /**
     * Per-forward mask state shared by all layers: additive biases for the full path (built lazily, one per
     * window size) and the key-padding mask for the block-wise path.
     */
    static final class Masks {
        final AttentionMask mask;
        final int seqLen;
        final NDManager manager;
        private final Map<Integer, NDArray> biases = new HashMap<>();
        private NDArray keyBiasRow;

        Masks(NDManager manager, AttentionMask mask, int seqLen) {
            this.manager = manager;
            this.mask = mask;
            this.seqLen = seqLen;
        }

        /** {@code [B, 1, 1, T, T]} float32: 0 where allowed, {@link #MASKED} elsewhere. */
        NDArray fullBias(int window) {
            return biases.computeIfAbsent(mask.isCausal() ? window : -1, w -> {
                NDArray allowed;
                NDArray valid = mask.keyValid().expandDims(1); // [B,1,T] over keys
                if (mask.isCausal()) {
                    NDArray causal = allowedBlock(manager, 0, seqLen, 0, seqLen, w); // [T,T]
                    allowed = causal.logicalAnd(valid);
                    causal.close();
                } else {
                    allowed = mask.allowed().logicalAnd(valid);
                }
                valid.close();
                NDArray bias = toBias(allowed).expandDims(1).expandDims(1);
                allowed.close();
                return bias;
            });
        }

        /** {@code [B, 1, 1, 1, T]} float32 bias over keys from padding only. */
        NDArray keyBias() {
            if (keyBiasRow == null) {
                NDArray b = toBias(mask.keyValid());
                keyBiasRow = b.reshape(new Shape(b.getShape().get(0), 1, 1, 1, seqLen));
                b.close();
            }
            return keyBiasRow;
        }

        void close() {
            biases.values().forEach(NDArray::close);
            if (keyBiasRow != null) {
                keyBiasRow.close();
            }
        }
    }

    /** bool → float32 additive bias (0 / MASKED). */
    static NDArray toBias(NDArray allowed) {
        try (NDArray f = allowed.toType(DataType.FLOAT32, false); NDArray g = Scalars.sub(f, 1f)) {
            return Scalars.mul(g, -MASKED); // (allowed - 1) * 1e9 → 0 or -1e9
        }
    }

    /** {@code [qLen, kLen]} bool: causal and within the window, for query rows q0.. and key columns k0... */
    static NDArray allowedBlock(NDManager m, long q0, long q1, long k0, long k1, int window) {
        try (NDArray qr = m.arange((int) q0, (int) q1); NDArray kr = m.arange((int) k0, (int) k1);
             NDArray qi = qr.reshape(q1 - q0, 1); NDArray ki = kr.reshape(1, k1 - k0)) {
            NDArray causal = ki.lte(qi);
            if (window <= 0) {
                return causal;
            }
            try (NDArray diff = qi.sub(ki); NDArray inWindow = Scalars.lt(diff, window)) {
                NDArray both = causal.logicalAnd(inWindow);
                causal.close();
                return both;
            }
        }
    }

    /**
     * Attention output {@code [B, Hq, T, hd]}.
     *
     * @param q {@code [B, Hq, T, hd]}, already scaled
     * @param k {@code [B, Hkv, T, hd]}
     * @param v {@code [B, Hkv, T, hd]}
     * @param window sliding window (0 = none)
     * @param blockSize 0 for the full path, else the block size of the block-wise path
     */
    static NDArray attend(NDArray q, NDArray k, NDArray v, Masks masks, int window, int blockSize) {
        Shape qs = q.getShape();
        long b = qs.get(0);
        long hq = qs.get(1);
        long t = qs.get(2);
        long hd = qs.get(3);
        long hkv = k.getShape().get(1);
        long groups = hq / hkv;
        DataType dtype = q.getDataType();
        NDArray q5 = q.reshape(new Shape(b, hkv, groups, t, hd));
        NDArray k5 = k.expandDims(2); // [B,Hkv,1,T,hd]
        NDArray v5 = v.expandDims(2);
        NDArray out;
        if (blockSize <= 0 || !masks.mask.isCausal() || t <= blockSize) {
            out = full(q5, k5, v5, masks.fullBias(window), dtype);
        } else {
            out = blockwise(q5, k5, v5, masks, window, blockSize, dtype);
        }
        q5.close();
        k5.close();
        v5.close();
        NDArray r = out.reshape(new Shape(b, hq, t, hd));
        out.close();
        return r;
    }

    private static NDArray full(NDArray q5, NDArray k5, NDArray v5, NDArray bias, DataType dtype) {
        NDArray kt = k5.transpose(0, 1, 2, 4, 3);
        NDArray scores = q5.matMul(kt); // [B,Hkv,G,T,T]
        kt.close();
        NDArray s32 = dtype == DataType.FLOAT32 ? scores : scores.toType(DataType.FLOAT32, false);
        NDArray masked = s32.add(bias);
        if (s32 != scores) {
            s32.close();
        }
        scores.close();
        NDArray probs = masked.softmax(-1);
        masked.close();
        NDArray p = dtype == DataType.FLOAT32 ? probs : probs.toType(dtype, false);
        NDArray out = p.matMul(v5);
        if (p != probs) {
            p.close();
        }
        probs.close();
        return out;
    }

    private static NDArray blockwise(NDArray q5, NDArray k5, NDArray v5, Masks masks, int window, int block, DataType dtype) {
        NDManager outer = q5.getManager();
        long t = q5.getShape().get(3);
        NDArray keyBias = masks.keyBias(); // [B,1,1,1,T]
        List<NDArray> outBlocks = new ArrayList<>();
        for (long q0 = 0; q0 < t; q0 += block) {
            long q1 = Math.min(t, q0 + block);
            try (NDManager qm = outer.newSubManager()) {
                NDArray qb = attach(qm, q5.get("..., " + q0 + ":" + q1 + ", :")); // [B,Hkv,G,Bq,hd]
                NDArray m = null;
                NDArray l = null;
                NDArray acc = null;
                long kFirst = window > 0 ? Math.max(0, q0 - window + 1) : 0;
                for (long k0 = (kFirst / block) * block; k0 < q1; k0 += block) {
                    long k1 = Math.min(t, k0 + block);
                    try (NDManager km = qm.newSubManager()) {
                        NDArray kb = attach(km, k5.get("..., " + k0 + ":" + k1 + ", :"));
                        NDArray vb = attach(km, v5.get("..., " + k0 + ":" + k1 + ", :"));
                        NDArray kbt = attach(km, kb.transpose(0, 1, 2, 4, 3));
                        NDArray s = attach(km, qb.matMul(kbt));
                        if (dtype != DataType.FLOAT32) {
                            s = attach(km, s.toType(DataType.FLOAT32, false));
                        }
                        NDArray allowed = attach(km, allowedBlock(km, q0, q1, k0, k1, window));
                        NDArray blockBias = attach(km, toBias(allowed));
                        NDArray padBias = attach(km, keyBias.get("..., " + k0 + ":" + k1));
                        s = attach(km, s.add(blockBias));
                        s = attach(km, s.add(padBias));
                        NDArray rowMax = attach(km, s.max(new int[] { -1 }, true));
                        NDArray mNew = m == null ? rowMax : attach(km, m.maximum(rowMax));
                        NDArray p = attach(km, s.sub(mNew).exp());
                        NDArray pSum = attach(km, p.sum(new int[] { -1 }, true));
                        NDArray pv = attach(km, (dtype == DataType.FLOAT32 ? p : attach(km, p.toType(dtype, false))).matMul(vb));
                        if (dtype != DataType.FLOAT32) {
                            pv = attach(km, pv.toType(DataType.FLOAT32, false));
                        }
                        NDArray lNew;
                        NDArray accNew;
                        if (m == null) {
                            lNew = pSum;
                            accNew = pv;
                        } else {
                            NDArray corr = attach(km, m.sub(mNew).exp());
                            lNew = attach(km, attach(km, l.mul(corr)).add(pSum));
                            accNew = attach(km, attach(km, acc.mul(corr)).add(pv));
                        }
                        // Carry the running state out of this key block's scope.
                        for (NDArray old : new NDArray[] { m, l, acc }) {
                            if (old != null) {
                                old.close();
                            }
                        }
                        m = attach(qm, mNew);
                        l = attach(qm, lNew);
                        acc = attach(qm, accNew);
                    }
                }
                NDArray o = acc.div(l);
                if (dtype != DataType.FLOAT32) {
                    o = o.toType(dtype, false);
                }
                o.attach(outer);
                outBlocks.add(o);
            }
        }
        NDArray out = NDArrays.concat(new NDList(outBlocks), 3);
        outBlocks.forEach(NDArray::close);
        return out;
    }

    private static NDArray attach(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }
}
