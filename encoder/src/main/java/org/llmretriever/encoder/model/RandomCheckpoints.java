package org.llmretriever.encoder.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.tokenize.BpeTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Tiny random checkpoints of every supported family, each with a byte-level BPE tokenizer trained on a built-in
 * text. A supported part of the encoder's API, not a test helper: {@code ./llm-retriever quickstart --tiny} and
 * the benchmarks ({@code bench encoder|plugin|trainer}) build their models with it at run time, and the tests of
 * every module use it so that none depends on downloaded models. The weights are random: such a model embeds
 * deterministically (per seed) but retrieves nothing meaningful until trained.
 *
 * <p>It lives in {@code model} next to {@link RandomInit}, which draws the weights: this class adds the configs of
 * each family and the tokenizer, so that the result is a whole checkpoint directory that loads like a downloaded one.
 */
public final class RandomCheckpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String tokenizerJson;

    /** The families/variants {@link #write} knows. */
    public static final List<String> VARIANTS = List.of(
        "llama", "llama-tied", "mistral", "qwen2", "qwen3", "gpt_neox", "gpt_neox-sequential");

    /** A few hundred words of plain English to train the tiny tokenizer on. */
    public static final String SAMPLE_TEXT = """
        Search engines rank documents by how well they match a query. A dense retriever maps queries and passages
        to vectors so that relevant pairs lie close together. Language models trained to predict the next word learn
        a great deal about text: which words belong together, which facts follow from others, what a passage is about.
        The k nearest neighbours of a query vector are found with an approximate index such as HNSW. Lexical search
        with BM25 counts shared terms, weighted by how rare they are in the collection. Hybrid retrieval fuses both
        lists, for example by reciprocal rank fusion. Training on the index's own documents adapts the model to the
        vocabulary of the collection without any labels: two random crops of one document should embed close to each
        other and far from crops of other documents. The weather today is sunny with a light breeze from the west.
        Cats sleep for most of the day and hunt at night. The river flows through the old town and under seven bridges.
        Proteins fold into shapes that determine their function in the cell. The committee approved the budget for
        the next year after a long debate about schools, roads and hospitals.
        """;

    private RandomCheckpoints() {}

    /** The shared tiny tokenizer (specials 0..3, then bytes, then ~100 merges). */
    public static synchronized String tokenizerJson() {
        if (tokenizerJson == null) {
            tokenizerJson = BpeTrainer.train(Arrays.asList(SAMPLE_TEXT.split("\n")), 384, 2);
        }
        return tokenizerJson;
    }

    /** Vocabulary size of {@link #tokenizerJson()}. */
    public static int vocabSize() {
        try {
            return JSON.readTree(tokenizerJson()).path("model").path("vocab").size();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A small config of a variant: hidden 32, 2 layers, 4 heads (2 KV heads for GQA families). */
    public static ObjectNode config(String variant) {
        ObjectNode c = JSON.createObjectNode();
        int vocab = vocabSize();
        c.put("vocab_size", vocab);
        c.put("hidden_size", 32);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 4);
        c.put("max_position_embeddings", 256);
        c.put("bos_token_id", BpeTrainer.BOS_ID);
        c.put("eos_token_id", BpeTrainer.EOS_ID);
        c.put("pad_token_id", BpeTrainer.PAD_ID);
        c.put("initializer_range", 0.2); // larger than usual so tiny random models give well-separated outputs
        c.put("torch_dtype", "float32");
        switch (variant) {
            case "llama", "llama-tied", "mistral", "qwen2", "qwen3" -> {
                String type = variant.equals("llama-tied") ? "llama" : variant;
                c.put("model_type", type);
                c.putArray("architectures").add(switch (type) {
                    case "mistral" -> "MistralForCausalLM";
                    case "qwen2" -> "Qwen2ForCausalLM";
                    case "qwen3" -> "Qwen3ForCausalLM";
                    default -> "LlamaForCausalLM";
                });
                c.put("num_key_value_heads", 2);
                c.put("intermediate_size", 64);
                c.put("rms_norm_eps", 1e-6);
                c.put("rope_theta", 10000.0);
                c.put("hidden_act", "silu");
                c.put("tie_word_embeddings", variant.equals("llama-tied"));
                if (type.equals("mistral")) {
                    c.put("sliding_window", 6);
                }
                if (type.equals("qwen3")) {
                    c.put("head_dim", 16); // Qwen3 decouples head_dim from hidden/heads
                    c.put("attention_bias", false);
                }
            }
            case "gpt_neox", "gpt_neox-sequential" -> {
                c.put("model_type", "gpt_neox");
                c.putArray("architectures").add("GPTNeoXForCausalLM");
                c.put("intermediate_size", 128);
                c.put("rotary_pct", 0.25);
                c.put("rotary_emb_base", 10000);
                c.put("layer_norm_eps", 1e-5);
                c.put("hidden_act", "gelu");
                c.put("use_parallel_residual", variant.equals("gpt_neox"));
                c.put("tie_word_embeddings", false);
            }
            default -> throw new IllegalArgumentException("unknown tiny model variant '" + variant + "' (known: " + VARIANTS + ")");
        }
        return c;
    }

    /** Writes a random checkpoint of a variant (config, tokenizer, safetensors) into {@code dir}. */
    public static Path write(Path dir, String variant, long seed) throws IOException {
        return write(dir, config(variant), seed);
    }

    /** Writes a random checkpoint of a config (with the tiny tokenizer) into {@code dir}. */
    public static Path write(Path dir, ObjectNode config, long seed) throws IOException {
        RandomInit.write(ModelConfig.of(config, dir.resolve("config.json").toString()), tokenizerJson(), seed, dir, Long.MAX_VALUE);
        Files.writeString(dir.resolve("tokenizer_config.json"), BpeTrainer.tokenizerConfigJson(256));
        return dir;
    }
}
