package org.llmretriever.encoder.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * Every config.json layout transformers 4.3x–5.x writes for the supported families: what changes the math is read
 * (and gives the same vectors as the equivalent older layout), what we do not implement is refused with the key and
 * value named, and what does not change the math keeps loading.
 */
public class ConfigAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "rivers and bridges of the old town and the long history of its many seven bridges";

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static ObjectNode config(String variant, Consumer<ObjectNode> edit) {
        ObjectNode c = RandomCheckpoints.config(variant);
        edit.accept(c);
        return c;
    }

    private static ModelSpec spec(ObjectNode c) {
        return Architectures.spec(ModelConfig.of(c, "config.json"));
    }

    private static String refusal(ObjectNode c) {
        return assertThrows(CheckpointException.class, () -> spec(c)).getMessage();
    }

    /** A checkpoint of {@code variant} with {@code seed}, then config.json replaced by {@code edited} (same weights). */
    private static Path withConfig(String name, String variant, long seed, ObjectNode edited) throws IOException {
        Path dir = RandomCheckpoints.write(tmp.newFolder(name).toPath(), variant, seed);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), edited);
        return dir;
    }

    private static float[] embed(Path dir) {
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults())) {
            return m.embed(List.of(TEXT), Kind.PASSAGE).vectors()[0];
        }
    }

    // ---- v5 layouts equal their v4 equivalents -------------------------------------------------------------

    @Test
    public void aTransformersV5ConfigEmbedsExactlyLikeItsV4Equivalent() throws IOException {
        for (String variant : List.of("llama", "mistral", "qwen2", "qwen3")) {
            Path v4 = RandomCheckpoints.write(tmp.newFolder(variant + "-v4").toPath(), variant, 41);
            ObjectNode c5 = RandomCheckpoints.config(variant);
            double theta = c5.get("rope_theta").asDouble();
            c5.remove("rope_theta");
            c5.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", theta);
            c5.remove("torch_dtype");
            c5.put("dtype", "bfloat16");                 // v5's name; storage only
            c5.put("head_dim", c5.has("head_dim") ? c5.get("head_dim").asInt() : 32 / 4); // explicit default
            c5.put("transformers_version", "5.0.0");
            c5.put("use_cache", true);
            c5.put("attention_dropout", 0.0);
            c5.put("pretraining_tp", 1);
            if (!variant.equals("mistral")) {
                ArrayNode types = c5.putArray("layer_types");
                types.add("full_attention").add("full_attention");
            }
            if (variant.equals("llama")) {
                c5.put("mlp_bias", false);
                c5.put("attention_bias", false);
            }
            if (variant.startsWith("qwen")) {
                c5.put("use_sliding_window", false);
                c5.putNull("sliding_window");
                c5.put("max_window_layers", 28);
            }
            Path v5 = withConfig(variant + "-v5", variant, 41, c5);
            assertArrayEquals(variant, embed(v4), embed(v5), 0f);
        }
    }

    @Test
    public void gptNeoXV5PartialRotaryFactorEmbedsLikeRotaryPct() throws IOException {
        Path v4 = RandomCheckpoints.write(tmp.newFolder("neox-v4").toPath(), "gpt_neox", 42);
        ObjectNode c5 = RandomCheckpoints.config("gpt_neox");
        c5.remove("rotary_pct");
        c5.remove("rotary_emb_base");
        c5.putObject("rope_parameters").put("rope_type", "default").put("rope_theta", 10000.0).put("partial_rotary_factor", 0.25);
        c5.remove("torch_dtype");
        c5.put("dtype", "float16");
        c5.put("head_dim", 8); // equal to hidden / heads: accepted
        Path v5 = withConfig("neox-v5", "gpt_neox", 42, c5);
        assertArrayEquals(embed(v4), embed(v5), 0f);
    }

    // ---- sliding windows: use_sliding_window, max_window_layers, layer_types --------------------------------

    @Test
    public void qwenSlidingWindowCountsOnlyWithUseSlidingWindowAndFromMaxWindowLayersOn() {
        ObjectNode off = config("qwen2", c -> {
            c.put("sliding_window", 3);
            c.put("use_sliding_window", false); // Qwen2-7B's config.json: a window size that is not used
            c.put("max_window_layers", 0);
        });
        assertArrayEquals(new int[] { 0, 0 }, LlamaModel.windows(ModelConfig.of(off, "t"), 2));
        ObjectNode on = off.deepCopy().put("use_sliding_window", true).put("max_window_layers", 1);
        assertArrayEquals(new int[] { 0, 3 }, LlamaModel.windows(ModelConfig.of(on, "t"), 2));
        ObjectNode listed = off.deepCopy().put("use_sliding_window", true);
        listed.putArray("layer_types").add("sliding_attention").add("full_attention");
        assertArrayEquals(new int[] { 3, 0 }, LlamaModel.windows(ModelConfig.of(listed, "t"), 2));
        ObjectNode listedButOff = listed.deepCopy().put("use_sliding_window", false);
        assertArrayEquals("Qwen2Config drops sliding_window when use_sliding_window is false", new int[] { 0, 0 },
            LlamaModel.windows(ModelConfig.of(listedButOff, "t"), 2));
        ObjectNode mistral = config("mistral", c -> c.put("sliding_window", 5));
        assertArrayEquals(new int[] { 5, 5 }, LlamaModel.windows(ModelConfig.of(mistral, "t"), 2));
        ObjectNode mistralNull = config("mistral", c -> c.putNull("sliding_window"));
        assertArrayEquals(new int[] { 0, 0 }, LlamaModel.windows(ModelConfig.of(mistralNull, "t"), 2));
    }

    @Test
    public void layerTypesGiveTheSameVectorsAsMaxWindowLayersAndTheWindowChangesThem() throws IOException {
        ObjectNode byMax = config("qwen3", c -> {
            c.put("use_sliding_window", true);
            c.put("sliding_window", 3);
            c.put("max_window_layers", 1);
        });
        ObjectNode byList = byMax.deepCopy();
        byList.remove("max_window_layers");
        byList.putArray("layer_types").add("full_attention").add("sliding_attention");
        ObjectNode none = byMax.deepCopy().put("use_sliding_window", false);
        float[] a = embed(withConfig("q3-max", "qwen3", 43, byMax));
        float[] b = embed(withConfig("q3-list", "qwen3", 43, byList));
        float[] c = embed(withConfig("q3-none", "qwen3", 43, none));
        assertArrayEquals(a, b, 0f);
        double diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - c[i]));
        }
        assertTrue("a 3-token window on layer 1 must change a long text's vector, diff " + diff, diff > 1e-4);
    }

    // ---- biases and head_dim -------------------------------------------------------------------------------

    @Test
    public void llamaMlpBiasAddsGateUpDownBiasesAndLoads() throws IOException {
        ObjectNode c = config("llama", n -> n.put("mlp_bias", true));
        ModelSpec s = spec(c);
        for (String m : List.of("gate_proj", "up_proj", "down_proj")) {
            assertTrue(m, s.tensors().containsKey("model.layers.1.mlp." + m + ".bias"));
        }
        Path dir = RandomCheckpoints.write(tmp.newFolder("llama-mlp-bias").toPath(), c, 44);
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults())) {
            assertEquals(32, m.embed(List.of(TEXT), Kind.PASSAGE).vectors()[0].length);
            assertTrue(m.model().stateDict().containsKey("model.layers.0.mlp.down_proj.bias"));
        }
    }

    @Test
    public void headDimDifferentFromHiddenOverHeadsShapesTheProjections() {
        ModelSpec s = spec(config("llama", c -> c.put("head_dim", 12)));
        assertArrayEquals(new long[] { 4 * 12, 32 }, s.tensors().get("model.layers.0.self_attn.q_proj.weight"));
        assertArrayEquals(new long[] { 2 * 12, 32 }, s.tensors().get("model.layers.0.self_attn.k_proj.weight"));
        assertArrayEquals(new long[] { 32, 4 * 12 }, s.tensors().get("model.layers.0.self_attn.o_proj.weight"));
        ModelSpec nullHeadDim = spec(config("mistral", c -> c.putNull("head_dim"))); // v5 Mistral may write null
        assertArrayEquals(new long[] { 32, 32 }, nullHeadDim.tensors().get("model.layers.0.self_attn.q_proj.weight"));
    }

    @Test
    public void biasesFollowTransformersPerFamily() {
        assertFalse(spec(config("qwen2", c -> c.put("attention_bias", false))).tensors().containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertTrue("Qwen2 q/k/v biases whatever attention_bias says",
            spec(config("qwen2", c -> c.put("attention_bias", false))).tensors().containsKey("model.layers.0.self_attn.q_proj.bias"));
        assertTrue(spec(config("llama", c -> c.put("attention_bias", true))).tensors().containsKey("model.layers.0.self_attn.o_proj.bias"));
        assertFalse(spec(config("gpt_neox", c -> c.put("attention_bias", false))).tensors()
            .containsKey("gpt_neox.layers.0.attention.query_key_value.bias"));
    }

    // ---- refusals name the key and the value ---------------------------------------------------------------

    @Test
    public void mathChangingKeysWeDoNotImplementAreRefusedByName() {
        assertEquals("config field 'layer_types[1]' = 'chunked_attention' is not supported in config.json: supported kinds: "
                + "full_attention, sliding_attention",
            refusal(config("qwen3", c -> c.putArray("layer_types").add("full_attention").add("chunked_attention"))));
        assertEquals("config field 'layer_types' = [\"full_attention\"] is not supported in config.json: it must list one kind per layer (2 layers)",
            refusal(config("qwen2", c -> c.putArray("layer_types").add("full_attention"))));
        assertEquals("config field 'layer_types[0]' = 'full_attention' is not supported in config.json: transformers' Mistral applies its "
                + "sliding window to every layer; alternating layers are another architecture",
            refusal(config("mistral", c -> c.putArray("layer_types").add("full_attention").add("sliding_attention"))));
        assertEquals("config field 'sliding_window' = 4 is not supported in config.json: llama has no sliding-window attention",
            refusal(config("llama", c -> c.put("sliding_window", 4))));
        assertEquals("config field 'layer_types[0]' = 'sliding_attention' is not supported in config.json: llama has no sliding-window attention",
            refusal(config("llama", c -> c.putArray("layer_types").add("sliding_attention").add("full_attention"))));
        assertEquals("config field 'partial_rotary_factor' = 0.5 is not supported in config.json: the llama family rotates the whole head",
            refusal(config("llama", c -> c.put("partial_rotary_factor", 0.5))));
        assertEquals("config field 'rope_parameters.partial_rotary_factor' = 0.5 is not supported in config.json: the qwen3 family rotates "
                + "the whole head",
            refusal(config("qwen3", c -> c.putObject("rope_parameters").put("rope_theta", 10000.0).put("partial_rotary_factor", 0.5))));
        assertEquals("config field 'attention_bias' = true is not supported in config.json: transformers' Mistral attention has no biases",
            refusal(config("mistral", c -> c.put("attention_bias", true))));
        assertEquals("config field 'mlp_bias' = true is not supported in config.json: transformers' qwen2 MLP has no biases (only llama "
                + "reads mlp_bias)",
            refusal(config("qwen2", c -> c.put("mlp_bias", true))));
        assertEquals("config field 'head_dim' = 16 is not supported in config.json: GPT-NeoX's head size is hidden_size / num_attention_heads = 8",
            refusal(config("gpt_neox", c -> c.put("head_dim", 16))));
        assertEquals("config field 'sliding_window' = \"big\" is not supported in config.json: it must be a positive integer or null",
            refusal(config("mistral", c -> c.put("sliding_window", "big"))));
        assertEquals("config field 'max_window_layers' = -1 is not supported in config.json: it must be a non-negative integer",
            refusal(config("qwen2", c -> c.put("max_window_layers", -1).put("use_sliding_window", true).put("sliding_window", 4))));
        String quant = refusal(config("llama", c -> c.putObject("quantization_config").put("quant_method", "gptq").put("bits", 4)));
        assertTrue(quant, quant.startsWith("config field 'quantization_config' (quant_method gptq) in config.json: quantized checkpoints are not supported"));
        String yarn = refusal(config("llama", c -> c.putObject("rope_parameters").put("rope_type", "yarn").put("rope_theta", 10000.0)
            .put("factor", 4.0).put("truncate", false)));
        assertTrue(yarn, yarn.contains("'rope_parameters.truncate' = false"));
        String longrope = refusal(config("qwen2", c -> c.putObject("rope_parameters").put("rope_type", "longrope").put("rope_theta", 10000.0)));
        assertTrue(longrope, longrope.contains("'rope_parameters.rope_type' = 'longrope'"));
    }

    @Test
    public void aRefusedConfigIsRefusedAtValidationBeforeAnyWeightIsRead() throws IOException {
        ObjectNode bad = config("qwen3", c -> c.putArray("layer_types").add("full_attention").add("linear_attention"));
        Path dir = withConfig("q3-bad", "qwen3", 45, bad);
        CheckpointException e = assertThrows(CheckpointException.class, () -> EncoderModel.load(dir, EncoderOptions.defaults()));
        assertTrue(e.getMessage(), e.getMessage().contains("'layer_types[1]' = 'linear_attention'"));
        assertTrue(Files.exists(dir.resolve("model.safetensors")));
    }

    @Test
    public void isCausalFalseNeedsBidirectionalAttentionAndBidirectionalNeedsNoReachableWindow() {
        ModelSpec encoderLike = spec(config("qwen2", c -> c.put("is_causal", false)));
        String e = assertThrows(CheckpointException.class,
            () -> EncoderModel.checkOptions(encoderLike, EncoderOptions.defaults())).getMessage();
        assertEquals("config field 'is_causal' = false in config.json: the checkpoint attends bidirectionally; set attention to 'bidirectional'", e);
        EncoderModel.checkOptions(encoderLike, EncoderOptions.defaults().withAttention(EncoderOptions.Attention.BIDIRECTIONAL));
        ModelSpec mistral = spec(RandomCheckpoints.config("mistral")); // sliding_window 6
        EncoderModel.checkOptions(mistral, EncoderOptions.defaults());
        String w = assertThrows(CheckpointException.class, () -> EncoderModel.checkOptions(mistral,
            EncoderOptions.defaults().withAttention(EncoderOptions.Attention.BIDIRECTIONAL))).getMessage();
        assertTrue(w, w.startsWith("config field 'sliding_window' = 6 in config.json: bidirectional attention with a sliding window is not implemented"));
        EncoderModel.checkOptions(mistral, EncoderOptions.defaults().withAttention(EncoderOptions.Attention.BIDIRECTIONAL).withMaxTokens(6));
    }
}
