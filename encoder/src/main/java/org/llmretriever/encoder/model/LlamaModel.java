package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.runtime.Scalars;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Llama family in one file: Llama 2/3 (incl. llama3 rope scaling), Mistral (sliding window), Qwen2/2.5
 * (q/k/v bias), Qwen3 (per-head q/k RMSNorm), SmolLM; grouped-query attention, tied or untied LM head.
 *
 * <pre>
 * h = embed_tokens(ids)                                   [B, T, D]
 * for each layer:
 *   x = rms_norm(h)                                       [B, T, D]
 *   q, k, v = x Wq, x Wk, x Wv  (+ bias for Qwen2)        [B, Hq|Hkv, T, hd]
 *   q, k = rms_norm_per_head(q), ... (Qwen3); rope(q), rope(k)
 *   h = h + o_proj(attention(q, k, v))                    causal, padding-masked, optional sliding window
 *   h = h + down(silu(gate(rms_norm(h))) * up(rms_norm(h)))
 * return rms_norm(h)
 * </pre>
 */
public final class LlamaModel extends DecoderModel {
    private record Layer(
        NDArray inputNorm,
        Linear q, Linear k, Linear v, Linear o,
        NDArray qNorm, NDArray kNorm,
        NDArray postNorm,
        Linear gate, Linear up, Linear down,
        int window
    ) {}

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float eps;
    private final Rope rope;
    private final String act;
    private NDArray embedTokens;
    private final NDArray finalNorm;
    private Linear lmHead;
    private final List<Layer> layers = new ArrayList<>();

    /** Derives dimensions and the expected tensors from a config. */
    public static ModelSpec spec(ModelConfig c, boolean checkpointHasLmHead) {
        String type = c.modelType();
        int d = c.requiredInt("hidden_size");
        int heads = c.requiredInt("num_attention_heads");
        int kvHeads = c.optInt("num_key_value_heads", heads);
        int headDim = c.optInt("head_dim", d / heads);
        int inter = c.requiredInt("intermediate_size");
        int n = c.requiredInt("num_hidden_layers");
        int vocab = c.requiredInt("vocab_size");
        if (heads % kvHeads != 0) {
            throw new CheckpointException("config field 'num_attention_heads' (" + heads + ") must be a multiple of 'num_key_value_heads' ("
                + kvHeads + ") in " + c.source());
        }
        if (!c.has("head_dim") && d % heads != 0) {
            throw new CheckpointException("config field 'hidden_size' (" + d + ") must be divisible by 'num_attention_heads' in " + c.source());
        }
        boolean qkvBias = qkvBias(c);
        boolean oBias = c.optBool("attention_bias", false) && !type.equals("qwen2") && !type.equals("mistral"); // Qwen2's o_proj never has a bias; Qwen3's follows attention_bias
        boolean mlpBias = type.equals("llama") && c.optBool("mlp_bias", false); // only LlamaMLP reads mlp_bias
        boolean qkNorm = type.equals("qwen3");
        ConfigAudit.llama(c, n); // refuses, by name, every math-changing key we do not implement
        boolean tied = c.optBool("tie_word_embeddings", !checkpointHasLmHead);
        Map<String, long[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", new long[] { vocab, d });
        for (int i = 0; i < n; i++) {
            String p = "model.layers." + i + ".";
            t.put(p + "input_layernorm.weight", new long[] { d });
            addLinear(t, p + "self_attn.q_proj", (long) heads * headDim, d, qkvBias);
            addLinear(t, p + "self_attn.k_proj", (long) kvHeads * headDim, d, qkvBias);
            addLinear(t, p + "self_attn.v_proj", (long) kvHeads * headDim, d, qkvBias);
            addLinear(t, p + "self_attn.o_proj", d, (long) heads * headDim, oBias);
            if (qkNorm) {
                t.put(p + "self_attn.q_norm.weight", new long[] { headDim });
                t.put(p + "self_attn.k_norm.weight", new long[] { headDim });
            }
            t.put(p + "post_attention_layernorm.weight", new long[] { d });
            addLinear(t, p + "mlp.gate_proj", inter, d, mlpBias);
            addLinear(t, p + "mlp.up_proj", inter, d, mlpBias);
            addLinear(t, p + "mlp.down_proj", d, inter, mlpBias);
        }
        t.put("model.norm.weight", new long[] { d });
        if (!tied) {
            t.put("lm_head.weight", new long[] { vocab, d });
        }
        String act = c.optText("hidden_act", "silu");
        if (!Activations.supported(act)) {
            throw new CheckpointException("config field 'hidden_act' = '" + act + "' is not supported for " + type + " in " + c.source());
        }
        Rope.fromConfig(c, headDim, 10000.0); // validates rope_scaling early
        return new ModelSpec("llama", type, d, vocab, n, tied, t, c);
    }

    private static boolean qkvBias(ModelConfig c) {
        String type = c.modelType();
        if (type.equals("qwen2")) {
            return true; // Qwen2 always has q/k/v biases (its config has no attention_bias field)
        }
        if (type.equals("mistral")) {
            return false; // MistralAttention has no biases (ConfigAudit refuses attention_bias = true)
        }
        return c.optBool("attention_bias", false);
    }

    private static void addLinear(Map<String, long[]> t, String module, long out, long in, boolean bias) {
        t.put(module + ".weight", new long[] { out, in });
        if (bias) {
            t.put(module + ".bias", new long[] { out });
        }
    }

    LlamaModel(ModelSpec spec, WeightLoader w, NDManager manager) {
        super(spec, manager, w.target());
        ModelConfig c = spec.config();
        int d = spec.hiddenSize();
        this.heads = c.requiredInt("num_attention_heads");
        this.kvHeads = c.optInt("num_key_value_heads", heads);
        this.headDim = c.optInt("head_dim", d / heads);
        this.eps = (float) c.optDouble("rms_norm_eps", 1e-6);
        this.rope = Rope.fromConfig(c, headDim, 10000.0);
        this.act = c.optText("hidden_act", "silu");
        boolean qkvBias = qkvBias(c);
        boolean oBias = spec.tensors().containsKey("model.layers.0.self_attn.o_proj.bias");
        boolean mlpBias = spec.tensors().containsKey("model.layers.0.mlp.gate_proj.bias");
        boolean qkNorm = spec.tensors().containsKey("model.layers.0.self_attn.q_norm.weight");
        this.embedTokens = param(w, "model.embed_tokens.weight");
        int[] windows = windows(c, spec.layers());
        for (int i = 0; i < spec.layers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new Layer(
                param(w, p + "input_layernorm.weight"),
                linear(w, p + "self_attn.q_proj", qkvBias),
                linear(w, p + "self_attn.k_proj", qkvBias),
                linear(w, p + "self_attn.v_proj", qkvBias),
                linear(w, p + "self_attn.o_proj", oBias),
                qkNorm ? param(w, p + "self_attn.q_norm.weight") : null,
                qkNorm ? param(w, p + "self_attn.k_norm.weight") : null,
                param(w, p + "post_attention_layernorm.weight"),
                linear(w, p + "mlp.gate_proj", mlpBias),
                linear(w, p + "mlp.up_proj", mlpBias),
                linear(w, p + "mlp.down_proj", mlpBias),
                windows[i]));
        }
        this.finalNorm = param(w, "model.norm.weight");
        this.lmHead = spec.tiedEmbeddings() ? new Linear("lm_head", embedTokens, null) : linear(w, "lm_head", false);
    }

    /** Sliding window per layer (0 = none), as transformers reads it for the family: see {@link ConfigAudit}. */
    static int[] windows(ModelConfig c, int n) {
        return ConfigAudit.llama(c, n);
    }

    @Override
    protected NDArray embedWeight() {
        return embedTokens;
    }

    @Override
    protected Linear lmHead() {
        return lmHead;
    }

    @Override
    protected void replaceEmbedWeight(NDArray newWeight) {
        replaceParam("model.embed_tokens.weight", newWeight);
        embedTokens = newWeight;
        if (spec.tiedEmbeddings()) {
            lmHead = new Linear("lm_head", newWeight, null);
        }
    }

    @Override
    protected NDArray hidden(NDArray ids, NDArray positions, int maxPosition, Attention.Masks masks) {
        NDArray h = embed(ids);                                        // [B, T, D]
        NDArray[] cs = rope.cosSin(positions, maxPosition, dtype);     // 2 × [B, 1, T, hd]
        int block = attentionBlockSize(ids.getShape().get(1));
        float scale = (float) (1.0 / Math.sqrt(headDim));
        try {
            for (Layer l : layers) {
                h = scoped(h, x -> layer(l, x, cs[0], cs[1], masks, scale, block));
            }
            return scoped(h, x -> rmsNorm(x, finalNorm, eps));
        } finally {
            cs[0].close();
            cs[1].close();
        }
    }

    private NDArray layer(Layer l, NDArray h, NDArray cos, NDArray sin, Attention.Masks masks, float scale, int block) {
        NDArray x = rmsNorm(h, l.inputNorm(), eps);
        NDArray q = l.q().forward(x);                                  // [B, T, Hq*hd]
        NDArray k = l.k().forward(x);                                  // [B, T, Hkv*hd]
        NDArray v = heads(l.v().forward(x), kvHeads, headDim);         // [B, Hkv, T, hd]
        if (l.qNorm() != null) {                                       // Qwen3: RMSNorm over each head
            q = rmsNorm(q.reshape(q.getShape().get(0), q.getShape().get(1), heads, headDim), l.qNorm(), eps);
            k = rmsNorm(k.reshape(k.getShape().get(0), k.getShape().get(1), kvHeads, headDim), l.kNorm(), eps);
            q = q.transpose(0, 2, 1, 3);
            k = k.transpose(0, 2, 1, 3);
        } else {
            q = heads(q, heads, headDim);
            k = heads(k, kvHeads, headDim);
        }
        q = Scalars.mul(Rope.apply(q, cos, sin, rope.dim()), scale);
        k = Rope.apply(k, cos, sin, rope.dim());
        NDArray attn = Attention.attend(q, k, v, masks, l.window(), block); // [B, Hq, T, hd]
        h = h.add(l.o().forward(mergeHeads(attn)));
        x = rmsNorm(h, l.postNorm(), eps);
        NDArray gate = l.gate().forward(x);                            // [B, T, I]
        NDArray activated = Activations.apply(act, gate);
        NDArray mlp = l.down().forward(activated.mul(l.up().forward(x)));
        return h.add(mlp);
    }
}
