package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;

/**
 * Rotary position embeddings with Hugging Face's scaling variants, so documents longer than the trained context
 * work: {@code default}, {@code linear} (position interpolation), {@code dynamic} (NTK-aware, base grows with the
 * sequence), {@code llama3} (per-frequency smooth scaling) and {@code yarn} (ramped interpolation + attention
 * scaling). Frequencies are computed in float32 like transformers does, so results match it.
 */
public final class Rope {
    /** Scaling variant. */
    public enum Type { DEFAULT, LINEAR, DYNAMIC, LLAMA3, YARN }

    private final Type type;
    private final int dim;
    private final double base;
    private final double factor;
    private final int maxPositions;
    private final int originalMaxPositions;
    private final double lowFreqFactor;
    private final double highFreqFactor;
    private final double betaFast;
    private final double betaSlow;
    private final float attentionScaling;
    private final float[] staticInvFreq;

    /** A rope over the first {@code dim} dims of each head (dim = head_dim × partial_rotary_factor). */
    public Rope(Type type, int dim, double base, double factor, int maxPositions, int originalMaxPositions,
                double lowFreqFactor, double highFreqFactor, double betaFast, double betaSlow, Double attentionFactor) {
        if (dim <= 0 || dim % 2 != 0) {
            throw new IllegalArgumentException("rotary dimension must be positive and even, got " + dim);
        }
        this.type = type;
        this.dim = dim;
        this.base = base;
        this.factor = factor;
        this.maxPositions = maxPositions;
        this.originalMaxPositions = originalMaxPositions;
        this.lowFreqFactor = lowFreqFactor;
        this.highFreqFactor = highFreqFactor;
        this.betaFast = betaFast;
        this.betaSlow = betaSlow;
        this.attentionScaling = type == Type.YARN ? (float) (attentionFactor != null ? attentionFactor : yarnMscale(factor)) : 1f;
        this.staticInvFreq = type == Type.DYNAMIC ? null : computeInvFreq(maxPositions);
    }

    /**
     * Reads RoPE settings in either layout transformers writes: v4's top-level {@code rope_theta} (or GPT-NeoX's
     * {@code rotary_emb_base}) with {@code rope_scaling}, or v5's {@code rope_parameters} object holding
     * {@code rope_type}, {@code rope_theta} and the scaling fields. Per-layer-type {@code rope_parameters} (an object of
     * objects) is refused by name rather than read wrongly.
     */
    public static Rope fromConfig(ModelConfig c, int rotaryDim, double defaultBase) {
        JsonNode params = ropeParameters(c);
        double base = params != null && params.hasNonNull("rope_theta") ? params.get("rope_theta").asDouble()
            : c.has("rope_theta") ? c.optDouble("rope_theta", defaultBase) : c.optDouble("rotary_emb_base", defaultBase);
        int maxPos = c.optInt("max_position_embeddings", 2048);
        JsonNode rs = params != null ? params : c.node("rope_scaling");
        if (rs == null || rs.isNull()) {
            return new Rope(Type.DEFAULT, rotaryDim, base, 1, maxPos, maxPos, 1, 4, 32, 1, null);
        }
        String where = params != null ? "rope_parameters" : "rope_scaling";
        String typeKey = where + (rs.hasNonNull("rope_type") ? ".rope_type" : ".type");
        String t = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText() : rs.path("type").asText("default");
        Type type = switch (t) {
            case "default" -> Type.DEFAULT;
            case "linear" -> Type.LINEAR;
            case "dynamic" -> Type.DYNAMIC;
            case "llama3" -> Type.LLAMA3;
            case "yarn" -> Type.YARN;
            default -> throw new CheckpointException(
                "config field '" + typeKey + "' = '" + t + "' is not supported in " + c.source()
                    + " (supported: default, linear, dynamic, llama3, yarn)");
        };
        double factor = rs.path("factor").asDouble(1.0);
        if (type != Type.DEFAULT && factor < 1.0) {
            throw new CheckpointException("config field '" + where + ".factor' must be >= 1 in " + c.source() + ", got " + factor);
        }
        int original = rs.hasNonNull("original_max_position_embeddings")
            ? rs.get("original_max_position_embeddings").asInt()
            : maxPos;
        if (type == Type.YARN && rs.hasNonNull("truncate") && !rs.get("truncate").asBoolean(true)) {
            // transformers 4.5x+: truncate=false keeps the correction range un-rounded; we implement the rounded (default) one
            throw new CheckpointException("config field '" + where + ".truncate' = false is not supported in " + c.source()
                + " (YaRN with the rounded correction range only)");
        }
        Double attentionFactor = rs.hasNonNull("attention_factor") ? rs.get("attention_factor").asDouble() : null;
        if (type == Type.YARN && attentionFactor == null && rs.hasNonNull("mscale") && rs.hasNonNull("mscale_all_dim")) {
            attentionFactor = yarnMscale(factor, rs.get("mscale").asDouble()) / yarnMscale(factor, rs.get("mscale_all_dim").asDouble());
        }
        return new Rope(type, rotaryDim, base, factor, maxPos, original,
            rs.path("low_freq_factor").asDouble(1.0), rs.path("high_freq_factor").asDouble(4.0),
            rs.path("beta_fast").asDouble(32), rs.path("beta_slow").asDouble(1), attentionFactor);
    }

    /** transformers v5's {@code rope_parameters}, or null when the config has none (v4 layout). */
    public static JsonNode ropeParameters(ModelConfig c) {
        JsonNode p = c.node("rope_parameters");
        if (p == null || p.isNull()) {
            return null;
        }
        if (!p.isObject()) {
            throw new CheckpointException("config field 'rope_parameters' must be an object in " + c.source() + ", got " + p);
        }
        for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                throw new CheckpointException("config field 'rope_parameters." + e.getKey() + "' holds per-layer-type RoPE settings in "
                    + c.source() + "; only one set for all layers is supported");
            }
        }
        return p;
    }

    static double yarnMscale(double scale) {
        return yarnMscale(scale, 1);
    }

    static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    /** Rotated dimensions per head. */
    public int dim() {
        return dim;
    }

    /** Variant. */
    public Type type() {
        return type;
    }

    /** Multiplier of cos/sin (YaRN's attention factor; 1 otherwise). */
    public float attentionScaling() {
        return attentionScaling;
    }

    /** Inverse frequencies used for a sequence whose largest position is {@code seqLen - 1}. */
    public float[] invFreq(int seqLen) {
        return type == Type.DYNAMIC ? computeInvFreq(seqLen) : staticInvFreq.clone();
    }

    private float[] defaultInvFreq(double b) {
        float[] f = new float[dim / 2];
        for (int i = 0; i < f.length; i++) {
            // transformers: 1.0 / (base ** (arange(0, dim, 2).float() / dim)) in float32
            float exponent = (float) (2 * i) / dim;
            f[i] = (float) (1.0 / Math.pow(b, exponent));
        }
        return f;
    }

    private float[] computeInvFreq(int seqLen) {
        switch (type) {
            case DEFAULT:
                return defaultInvFreq(base);
            case LINEAR: {
                float[] f = defaultInvFreq(base);
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) (f[i] / factor);
                }
                return f;
            }
            case DYNAMIC: {
                int len = Math.max(seqLen, maxPositions);
                double b = base * Math.pow(factor * len / maxPositions - (factor - 1), (double) dim / (dim - 2));
                return defaultInvFreq(b);
            }
            case LLAMA3: {
                float[] f = defaultInvFreq(base);
                double lowWavelen = originalMaxPositions / lowFreqFactor;
                double highWavelen = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < f.length; i++) {
                    double wavelen = 2 * Math.PI / f[i];
                    double scaled = wavelen > lowWavelen ? f[i] / factor : f[i];
                    boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
                    if (medium) {
                        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        scaled = (1 - smooth) * scaled / factor + smooth * scaled;
                    }
                    f[i] = (float) scaled;
                }
                return f;
            }
            case YARN: {
                float[] f = new float[dim / 2];
                double low = Math.max(Math.floor(correctionDim(betaFast)), 0);
                double high = Math.min(Math.ceil(correctionDim(betaSlow)), dim - 1);
                if (low == high) {
                    high += 0.001;
                }
                for (int i = 0; i < f.length; i++) {
                    double posFreq = Math.pow(base, (double) (2 * i) / dim);
                    double extrapolation = 1.0 / posFreq;
                    double interpolation = 1.0 / (factor * posFreq);
                    double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
                    double extrapolationFactor = 1 - ramp;
                    f[i] = (float) (interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor);
                }
                return f;
            }
            default:
                throw new IllegalStateException(type.toString());
        }
    }

    private double correctionDim(double numRotations) {
        return dim * Math.log(originalMaxPositions / (numRotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /**
     * cos and sin tables for positions {@code 0..positions-1}: {@code [positions, dim]} each, with the frequencies
     * repeated twice (rotate-half convention) and multiplied by {@link #attentionScaling()}.
     */
    public float[][] tables(int positions) {
        float[] inv = invFreq(positions);
        float[] cos = new float[positions * dim];
        float[] sin = new float[positions * dim];
        int half = dim / 2;
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * inv[i]; // float32 product, as transformers computes it
                float c = (float) Math.cos(angle) * attentionScaling;
                float s = (float) Math.sin(angle) * attentionScaling;
                cos[p * dim + i] = c;
                cos[p * dim + i + half] = c;
                sin[p * dim + i] = s;
                sin[p * dim + i + half] = s;
            }
        }
        return new float[][] { cos, sin };
    }

    /** cos/sin gathered at {@code positions [B, T]}: two arrays {@code [B, 1, T, dim]} in the positions' manager. */
    public NDArray[] cosSin(NDArray positions, int maxPosition, DataType dtype) {
        NDManager m = positions.getManager();
        float[][] t = tables(maxPosition + 1);
        Shape tableShape = new Shape(maxPosition + 1, dim);
        NDArray[] out = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            try (NDArray table = m.create(t[i], tableShape)) {
                NDArray g = positions.getNDArrayInternal().embedding(positions, table, ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
                NDArray e = g.expandDims(1);
                g.close();
                if (dtype != DataType.FLOAT32) {
                    NDArray c = e.toType(dtype, false);
                    e.close();
                    e = c;
                }
                out[i] = e;
            }
        }
        return out;
    }

    /** Applies the rotation to {@code x [B, H, T, headDim]}; only the first {@link #dim()} dims rotate. */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin, int rotaryDim) {
        long headDim = x.getShape().get(3);
        NDArray rot = rotaryDim == headDim ? x : x.get("..., :" + rotaryDim);
        int half = rotaryDim / 2;
        NDArray x1 = rot.get("..., :" + half);
        NDArray x2 = rot.get("..., " + half + ":");
        NDArray negX2 = x2.neg();
        NDArray rotated = negX2.concat(x1, -1); // rotate_half(x) = cat(-x2, x1)
        NDArray a = rot.mul(cos);
        NDArray b = rotated.mul(sin);
        NDArray out = a.add(b);
        for (NDArray t : new NDArray[] { x1, x2, negX2, rotated, a, b }) {
            t.close();
        }
        if (rot != x) {
            NDArray pass = x.get("..., " + rotaryDim + ":");
            NDArray joined = out.concat(pass, -1);
            rot.close();
            pass.close();
            out.close();
            out = joined;
        }
        return out;
    }
}
