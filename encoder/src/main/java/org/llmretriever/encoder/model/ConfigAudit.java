package org.llmretriever.encoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;

/**
 * The config.json keys that change a model's math, read the way transformers 4.3x–5.x reads them for each supported
 * family, and refused by name when present with a value we do not implement — never silently defaulted.
 *
 * <table>
 *   <caption>What each key does here</caption>
 *   <tr><th>key</th><th>llama</th><th>mistral</th><th>qwen2</th><th>qwen3</th><th>gpt_neox</th></tr>
 *   <tr><td>{@code head_dim}</td><td colspan="4">read (defaults to hidden_size / num_attention_heads; null = default)</td>
 *       <td>refused unless hidden_size / num_attention_heads (transformers has no such field for GPT-NeoX)</td></tr>
 *   <tr><td>{@code attention_bias}</td><td>q/k/v/o</td><td>refused if true (MistralAttention has no biases)</td>
 *       <td>ignored: q/k/v always, o never (as Qwen2Attention)</td><td>q/k/v/o</td><td>qkv and dense (default true)</td></tr>
 *   <tr><td>{@code mlp_bias}</td><td>gate/up/down</td><td colspan="3">refused if true (their MLPs have no biases)</td>
 *       <td>refused if false (its MLP always has biases)</td></tr>
 *   <tr><td>{@code sliding_window}</td><td>refused if set (LlamaAttention has no window)</td><td>every layer</td>
 *       <td colspan="2">only with {@code use_sliding_window}, from {@code max_window_layers} on (or per {@code layer_types})</td>
 *       <td>refused if set</td></tr>
 *   <tr><td>{@code layer_types}</td><td>only {@code full_attention}</td><td>only {@code sliding_attention} (transformers'
 *       Mistral applies the window to every layer and ignores the list)</td><td colspan="2">per layer:
 *       {@code full_attention} / {@code sliding_attention}</td><td>only {@code full_attention}</td></tr>
 *   <tr><td>{@code partial_rotary_factor}</td><td colspan="4">refused unless 1 (top level or in {@code rope_parameters})</td>
 *       <td>read (v5 name of {@code rotary_pct})</td></tr>
 *   <tr><td>{@code is_causal} (transformers 5.2+)</td><td colspan="5">{@code false} requires the encoder option
 *       {@code attention: bidirectional} (checked with the options, {@code EncoderModel.checkOptions}); bidirectional attention
 *       is refused where a sliding window could apply (max_tokens above it)</td></tr>
 *   <tr><td>{@code quantization_config}</td><td colspan="5">refused (quantized weights are not read)</td></tr>
 * </table>
 * {@code tie_word_embeddings}, {@code rope_parameters} / {@code rope_scaling} / {@code rope_theta} are read by the families
 * and {@link Rope}. {@code torch_dtype} and its v5 name {@code dtype} only say how the weights were stored (the
 * safetensors headers say it per tensor; the compute precision is an encoder option), so both are accepted as they are.
 * Keys that do not change the forward pass ({@code use_cache}, {@code transformers_version}, token ids,
 * {@code attention_dropout} at inference, {@code initializer_range}, {@code pretraining_tp}, ...) are accepted.
 */
public final class ConfigAudit {
    private ConfigAudit() {}

    /** Layer kinds transformers writes in {@code layer_types} that we implement. */
    static final String FULL = "full_attention";
    static final String SLIDING = "sliding_attention";

    /** Checks the keys every family shares. */
    static void common(ModelConfig c) {
        if (c.has("quantization_config")) {
            JsonNode q = c.node("quantization_config");
            throw new CheckpointException("config field 'quantization_config' (quant_method " + q.path("quant_method").asText("?")
                + ") in " + c.source() + ": quantized checkpoints are not supported; use the unquantized (float16/bfloat16/float32) weights");
        }
    }

    /** The Llama family's keys (llama, mistral, qwen2, qwen3); returns the sliding window of each layer (0 = none). */
    static int[] llama(ModelConfig c, int layers) {
        common(c);
        String type = c.modelType();
        boolean isLlama = type.equals("llama");
        boolean isMistral = type.equals("mistral");
        boolean isQwen = type.equals("qwen2") || type.equals("qwen3");
        if (isMistral && c.optBool("attention_bias", false)) {
            throw refused(c, "attention_bias", "true", "transformers' Mistral attention has no biases");
        }
        if (!isLlama && c.optBool("mlp_bias", false)) {
            throw refused(c, "mlp_bias", "true", "transformers' " + type + " MLP has no biases (only llama reads mlp_bias)");
        }
        double partial = partialRotaryFactor(c);
        if (partial != 1.0) {
            throw refused(c, partialRotaryKey(c), String.valueOf(partial), "the " + type + " family rotates the whole head");
        }
        int window = slidingWindow(c);
        String[] types = layerTypes(c, layers);
        int[] w = new int[layers];
        if (isLlama) {
            if (window > 0) {
                throw refused(c, "sliding_window", String.valueOf(window), "llama has no sliding-window attention");
            }
            requireAll(c, types, FULL, "llama has no sliding-window attention");
            return w;
        }
        if (isMistral) {
            requireAll(c, types, SLIDING, "transformers' Mistral applies its sliding window to every layer; alternating layers are another architecture");
            java.util.Arrays.fill(w, window);
            return w;
        }
        if (!isQwen) {
            throw new IllegalStateException(type);
        }
        // Qwen2/Qwen3Config: sliding_window counts only with use_sliding_window; layer_types, when absent, is
        // "sliding_attention" from max_window_layers on.
        if (!c.optBool("use_sliding_window", false)) {
            window = 0;
        }
        int from = c.has("max_window_layers") ? nonNegative(c, "max_window_layers") : 28;
        for (int i = 0; i < layers; i++) {
            boolean sliding = types != null ? types[i].equals(SLIDING) : i >= from;
            w[i] = sliding ? window : 0;
        }
        return w;
    }

    /** GPT-NeoX's keys that no transformers GPT-NeoX reads but that would change the math if meant. */
    static void gptNeoX(ModelConfig c, int layers) {
        common(c);
        int d = c.requiredInt("hidden_size");
        int heads = c.requiredInt("num_attention_heads");
        if (c.has("head_dim") && c.requiredInt("head_dim") != d / heads) {
            throw refused(c, "head_dim", c.node("head_dim").toString(), "GPT-NeoX's head size is hidden_size / num_attention_heads = " + d / heads);
        }
        if (c.has("mlp_bias") && !c.optBool("mlp_bias", true)) {
            throw refused(c, "mlp_bias", "false", "GPT-NeoX's MLP always has biases");
        }
        int window = slidingWindow(c);
        if (window > 0) {
            throw refused(c, "sliding_window", String.valueOf(window), "GPT-NeoX has no sliding-window attention");
        }
        requireAll(c, layerTypes(c, layers), FULL, "GPT-NeoX has no sliding-window attention");
    }

    /** {@code sliding_window}: a positive integer, or 0 when absent or null. */
    static int slidingWindow(ModelConfig c) {
        JsonNode sw = c.node("sliding_window");
        if (sw == null || sw.isNull()) {
            return 0;
        }
        if (!sw.isIntegralNumber() || sw.asLong() <= 0 || sw.asLong() > Integer.MAX_VALUE) {
            throw refused(c, "sliding_window", sw.toString(), "it must be a positive integer or null");
        }
        return sw.asInt();
    }

    /** {@code layer_types}, checked: one known kind per layer; null when absent. */
    static String[] layerTypes(ModelConfig c, int layers) {
        JsonNode t = c.node("layer_types");
        if (t == null || t.isNull()) {
            return null;
        }
        if (!t.isArray() || t.size() != layers) {
            throw refused(c, "layer_types", abbreviate(t), "it must list one kind per layer (" + layers + " layers)");
        }
        String[] out = new String[layers];
        for (int i = 0; i < layers; i++) {
            JsonNode e = t.get(i);
            String kind = e.isTextual() ? e.asText() : e.toString();
            if (!kind.equals(FULL) && !kind.equals(SLIDING)) {
                throw refused(c, "layer_types[" + i + "]", "'" + kind + "'", "supported kinds: " + FULL + ", " + SLIDING);
            }
            out[i] = kind;
        }
        return out;
    }

    private static void requireAll(ModelConfig c, String[] types, String kind, String why) {
        if (types == null) {
            return;
        }
        for (int i = 0; i < types.length; i++) {
            if (!types[i].equals(kind)) {
                throw refused(c, "layer_types[" + i + "]", "'" + types[i] + "'", why);
            }
        }
    }

    /** {@code partial_rotary_factor}: v5 keeps it in {@code rope_parameters}, v4 at the top level; 1 when absent. */
    static double partialRotaryFactor(ModelConfig c) {
        JsonNode p = Rope.ropeParameters(c);
        if (p != null && p.hasNonNull("partial_rotary_factor")) {
            return p.get("partial_rotary_factor").asDouble();
        }
        return c.optDouble("partial_rotary_factor", 1.0);
    }

    private static String partialRotaryKey(ModelConfig c) {
        JsonNode p = Rope.ropeParameters(c);
        return p != null && p.hasNonNull("partial_rotary_factor") ? "rope_parameters.partial_rotary_factor" : "partial_rotary_factor";
    }

    private static int nonNegative(ModelConfig c, String key) {
        JsonNode n = c.node(key);
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > Integer.MAX_VALUE) {
            throw refused(c, key, n.toString(), "it must be a non-negative integer");
        }
        return n.asInt();
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** The one error shape: the key, its value, the file and why. */
    static CheckpointException refused(ModelConfig c, String key, String value, String why) {
        return new CheckpointException("config field '" + key + "' = " + value + " is not supported in " + c.source() + ": " + why);
    }
}
