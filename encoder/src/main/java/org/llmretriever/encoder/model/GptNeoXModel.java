package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.runtime.Scalars;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-NeoX (Pythia) in one file: fused QKV projection, partial rotary embeddings ({@code rotary_pct}), LayerNorm
 * with bias, GELU MLP and the parallel residual.
 *
 * <pre>
 * h = embed_in(ids)                                           [B, T, D]
 * for each layer:
 *   qkv = query_key_value(layer_norm_1(h))                    [B, T, 3D] → per head [q | k | v]
 *   q, k = rope over the first rotary_pct of each head
 *   a = dense(attention(q, k, v))
 *   parallel:   h = h + a + mlp(layer_norm_2(h))
 *   sequential: h = (h + a) + mlp(layer_norm_2(h + a))
 * return final_layer_norm(h); logits = embed_out(...)
 * </pre>
 */
public final class GptNeoXModel extends DecoderModel {
    private record Layer(NDArray ln1w, NDArray ln1b, NDArray ln2w, NDArray ln2b, Linear qkv, Linear dense, Linear up, Linear down) {}

    private final int heads;
    private final int headDim;
    private final float eps;
    private final boolean parallelResidual;
    private final String act;
    private final Rope rope;
    private NDArray embedIn;
    private final NDArray finalLnW;
    private final NDArray finalLnB;
    private Linear embedOut;
    private final List<Layer> layers = new ArrayList<>();

    /** Derives dimensions and the expected tensors from a config. */
    public static ModelSpec spec(ModelConfig c, boolean checkpointHasLmHead) {
        int d = c.requiredInt("hidden_size");
        int heads = c.requiredInt("num_attention_heads");
        int n = c.requiredInt("num_hidden_layers");
        int inter = c.optInt("intermediate_size", 4 * d);
        int vocab = c.requiredInt("vocab_size");
        if (d % heads != 0) {
            throw new CheckpointException("config field 'hidden_size' (" + d + ") must be divisible by 'num_attention_heads' in " + c.source());
        }
        ConfigAudit.gptNeoX(c, n); // refuses, by name, every math-changing key we do not implement
        boolean bias = c.optBool("attention_bias", true);
        boolean tied = c.optBool("tie_word_embeddings", false);
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("gpt_neox.embed_in.weight", new long[] { vocab, d });
        for (int i = 0; i < n; i++) {
            String p = "gpt_neox.layers." + i + ".";
            t.put(p + "input_layernorm.weight", new long[] { d });
            t.put(p + "input_layernorm.bias", new long[] { d });
            t.put(p + "post_attention_layernorm.weight", new long[] { d });
            t.put(p + "post_attention_layernorm.bias", new long[] { d });
            t.put(p + "attention.query_key_value.weight", new long[] { 3L * d, d });
            if (bias) {
                t.put(p + "attention.query_key_value.bias", new long[] { 3L * d });
            }
            t.put(p + "attention.dense.weight", new long[] { d, d });
            if (bias) {
                t.put(p + "attention.dense.bias", new long[] { d });
            }
            t.put(p + "mlp.dense_h_to_4h.weight", new long[] { inter, d });
            t.put(p + "mlp.dense_h_to_4h.bias", new long[] { inter });
            t.put(p + "mlp.dense_4h_to_h.weight", new long[] { d, inter });
            t.put(p + "mlp.dense_4h_to_h.bias", new long[] { d });
        }
        t.put("gpt_neox.final_layer_norm.weight", new long[] { d });
        t.put("gpt_neox.final_layer_norm.bias", new long[] { d });
        if (!tied) {
            t.put("embed_out.weight", new long[] { vocab, d });
        }
        rotaryDim(c, d / heads); // validates rotary_pct
        String act = c.optText("hidden_act", "gelu");
        if (!Activations.supported(act)) {
            throw new CheckpointException("config field 'hidden_act' = '" + act + "' is not supported for gpt_neox in " + c.source());
        }
        return new ModelSpec("gpt_neox", c.modelType(), d, vocab, n, tied, t, c);
    }

    static int rotaryDim(ModelConfig c, int headDim) {
        com.fasterxml.jackson.databind.JsonNode params = Rope.ropeParameters(c); // transformers v5 keeps it there
        double pct = params != null && params.hasNonNull("partial_rotary_factor") ? params.get("partial_rotary_factor").asDouble()
            : c.has("partial_rotary_factor") ? c.optDouble("partial_rotary_factor", 0.25) : c.optDouble("rotary_pct", 0.25);
        int dim = (int) (headDim * pct);
        if (pct <= 0 || pct > 1 || dim < 2 || dim % 2 != 0) {
            throw new CheckpointException("config field 'rotary_pct' = " + pct + " gives an invalid rotary dimension " + dim + " in " + c.source());
        }
        return dim;
    }

    GptNeoXModel(ModelSpec spec, WeightLoader w, NDManager manager) {
        super(spec, manager, w.target());
        ModelConfig c = spec.config();
        int d = spec.hiddenSize();
        this.heads = c.requiredInt("num_attention_heads");
        this.headDim = d / heads;
        this.eps = (float) c.optDouble("layer_norm_eps", 1e-5);
        this.parallelResidual = c.optBool("use_parallel_residual", true);
        this.act = c.optText("hidden_act", "gelu");
        this.rope = Rope.fromConfig(c, rotaryDim(c, headDim), 10000.0);
        boolean bias = spec.tensors().containsKey("gpt_neox.layers.0.attention.query_key_value.bias");
        this.embedIn = param(w, "gpt_neox.embed_in.weight");
        for (int i = 0; i < spec.layers(); i++) {
            String p = "gpt_neox.layers." + i + ".";
            layers.add(new Layer(
                param(w, p + "input_layernorm.weight"), param(w, p + "input_layernorm.bias"),
                param(w, p + "post_attention_layernorm.weight"), param(w, p + "post_attention_layernorm.bias"),
                linear(w, p + "attention.query_key_value", bias),
                linear(w, p + "attention.dense", bias),
                linear(w, p + "mlp.dense_h_to_4h", true),
                linear(w, p + "mlp.dense_4h_to_h", true)));
        }
        this.finalLnW = param(w, "gpt_neox.final_layer_norm.weight");
        this.finalLnB = param(w, "gpt_neox.final_layer_norm.bias");
        this.embedOut = spec.tiedEmbeddings() ? new Linear("embed_out", embedIn, null) : linear(w, "embed_out", false);
    }

    @Override
    protected NDArray embedWeight() {
        return embedIn;
    }

    @Override
    protected Linear lmHead() {
        return embedOut;
    }

    @Override
    protected void replaceEmbedWeight(NDArray newWeight) {
        replaceParam("gpt_neox.embed_in.weight", newWeight);
        embedIn = newWeight;
        if (spec.tiedEmbeddings()) {
            embedOut = new Linear("embed_out", newWeight, null);
        }
    }

    private NDArray layerNorm(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().layerNorm(x, new Shape(w.getShape().get(0)), w, b, eps).singletonOrThrow();
    }

    @Override
    protected NDArray hidden(NDArray ids, NDArray positions, int maxPosition, Attention.Masks masks) {
        NDArray h = embed(ids);                                        // [B, T, D]
        NDArray[] cs = rope.cosSin(positions, maxPosition, dtype);     // 2 × [B, 1, T, rotary]
        int block = attentionBlockSize(ids.getShape().get(1));
        float scale = (float) (1.0 / Math.sqrt(headDim));
        try {
            for (Layer l : layers) {
                h = scoped(h, x -> layer(l, x, cs[0], cs[1], masks, scale, block));
            }
            return scoped(h, x -> layerNorm(x, finalLnW, finalLnB));
        } finally {
            cs[0].close();
            cs[1].close();
        }
    }

    private NDArray layer(Layer l, NDArray h, NDArray cos, NDArray sin, Attention.Masks masks, float scale, int block) {
        Shape s = h.getShape();
        NDArray qkv = l.qkv().forward(layerNorm(h, l.ln1w(), l.ln1b()))            // [B, T, 3D]
            .reshape(new Shape(s.get(0), s.get(1), heads, 3L * headDim))         // [B, T, H, 3hd]
            .transpose(0, 2, 1, 3);                                               // [B, H, T, 3hd]
        NDArray q = qkv.get("..., :" + headDim);
        NDArray k = qkv.get("..., " + headDim + ":" + 2 * headDim);
        NDArray v = qkv.get("..., " + 2 * headDim + ":");
        q = Scalars.mul(Rope.apply(q, cos, sin, rope.dim()), scale);
        k = Rope.apply(k, cos, sin, rope.dim());
        NDArray attn = l.dense().forward(mergeHeads(Attention.attend(q, k, v, masks, 0, block)));
        if (parallelResidual) {
            NDArray mlp = l.down().forward(Activations.apply(act, l.up().forward(layerNorm(h, l.ln2w(), l.ln2b()))));
            return h.add(attn).add(mlp);
        }
        NDArray h2 = h.add(attn);
        NDArray mlp = l.down().forward(Activations.apply(act, l.up().forward(layerNorm(h2, l.ln2w(), l.ln2b()))));
        return h2.add(mlp);
    }
}
