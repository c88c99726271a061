package org.llmretriever.encoder.embed;

import org.llmretriever.encoder.EncoderOptions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a published decoder embedding model embeds, in one name: pooling, prompts, token limit, normalization and
 * attention, each taken from the model card or the authors' code (cited per preset below). A preset only fills
 * defaults: a model definition's explicit fields override it.
 *
 * <p>What no preset needs to say: padding side (positions are counted per sequence and padding is masked, so vectors
 * do not depend on it; every reference implementation below pads left) and EOS handling, which follows the pooling:
 * {@code last_token} appends the model's EOS ({@code eos_token_id}) unless the tokenizer's own template already ends
 * texts with a special token (Qwen3-Embedding's and gte-Qwen2's append {@code <|endoftext|>}; that token is then the
 * last one, as in the authors' code), other poolings append nothing.
 *
 * @param name the name a model definition gives as {@code "preset"}
 * @param models the checkpoints it is for (Hugging Face ids)
 * @param pooling pooling
 * @param queryPrompt query template ({@code {text}} = the query)
 * @param passagePrompt passage template
 * @param maxTokens token limit (prompt included)
 * @param normalize L2-normalize
 * @param attention causal or bidirectional
 * @param source where each setting comes from
 * @param notes what the preset cannot reproduce, or needs from the user
 */
public record Preset(
    String name,
    List<String> models,
    Pooling pooling,
    String queryPrompt,
    String passagePrompt,
    int maxTokens,
    boolean normalize,
    EncoderOptions.Attention attention,
    String source,
    String notes
) {
    /** E5-Mistral's default retrieval instruction, also the default task of the models trained from it. */
    public static final String WEB_SEARCH_TASK = "Given a web search query, retrieve relevant passages that answer the query";

    /** E5-Mistral's query template with {@link #WEB_SEARCH_TASK}; its descendants and gte-Qwen2 use it as well. */
    private static final String E5_QUERY_PROMPT = "Instruct: " + WEB_SEARCH_TASK + "\nQuery: {text}";

    /**
     * Qwen3-Embedding-0.6B/4B/8B: last-token pooling over left-padded input ending in {@code <|endoftext|>}; queries
     * as {@code Instruct: {task}\nQuery:{query}} (no space after {@code Query:}), documents bare; normalized; 8192 tokens
     * in the card's example (the models accept 32k); causal attention (the authors found it better than bidirectional).
     * Sources: the model card https://huggingface.co/Qwen/Qwen3-Embedding-0.6B ({@code get_detailed_instruct},
     * {@code last_token_pool}, {@code max_length = 8192}), the Qwen3-Embedding README as summarized at
     * https://deepwiki.com/QwenLM/Qwen3-Embedding/2.1-text-embedding-models (eod token {@code <|endoftext|>}), and
     * https://github.com/QwenLM/Qwen3-Embedding/issues/9 (trained with causal attention) and issue 54 (the tokenizer appends the
     * EOS itself) with https://github.com/ggml-org/llama.cpp/pull/14314 (that token differs from tokenizer_config's EOS).
     */
    public static final Preset QWEN3_EMBEDDING = instructedLastToken("qwen3-embedding",
        List.of("Qwen/Qwen3-Embedding-0.6B", "Qwen/Qwen3-Embedding-4B", "Qwen/Qwen3-Embedding-8B"),
        "Instruct: " + WEB_SEARCH_TASK + "\nQuery:{text}", 8192, EncoderOptions.Attention.CAUSAL,
        "https://huggingface.co/Qwen/Qwen3-Embedding-0.6B (model card code); https://github.com/QwenLM/Qwen3-Embedding/issues/9 (causal)",
        "The published tokenizer appends <|endoftext|> itself (config.json's eos_token_id is another token), so that token "
            + "is the pooled last token, as in the card's code (see https://github.com/QwenLM/Qwen3-Embedding/issues/54). "
            + "Change the task by overriding query_prompt.");

    /**
     * E5-Mistral-7B-instruct: last-token pooling with EOS appended, left padding; queries as
     * {@code Instruct: {task}\nQuery: {query}} with one task sentence, documents without instruction; normalized; 4096
     * tokens. Source: the model card https://huggingface.co/intfloat/e5-mistral-7b-instruct ({@code last_token_pool},
     * {@code get_detailed_instruct}, the default task, {@code max_length 4096}).
     */
    public static final Preset E5_MISTRAL = instructedLastToken("e5-mistral", List.of("intfloat/e5-mistral-7b-instruct"),
        E5_QUERY_PROMPT, 4096, EncoderOptions.Attention.CAUSAL,
        "https://huggingface.co/intfloat/e5-mistral-7b-instruct (model card code)",
        "Mistral's 4096-token sliding window never applies within max_tokens 4096.");

    /**
     * gte-Qwen2-1.5B/7B-instruct: last-token pooling, query-side instruction in the E5 format
     * ({@code Instruct: {task}\nQuery: {query}}), documents bare, normalized, 8192 tokens in the card's example; the card
     * states the models use bidirectional attention. Source: the model card
     * https://huggingface.co/Alibaba-NLP/gte-Qwen2-7B-instruct; the question whether the reference code really attends
     * bidirectionally is discussed in https://github.com/vllm-project/vllm/pull/10184. The card loads custom modeling
     * code ({@code trust_remote_code}) that we could not read, so the attention setting rests on the card's statement.
     */
    public static final Preset GTE_QWEN2 = instructedLastToken("gte-qwen2",
        List.of("Alibaba-NLP/gte-Qwen2-1.5B-instruct", "Alibaba-NLP/gte-Qwen2-7B-instruct"),
        E5_QUERY_PROMPT, 8192, EncoderOptions.Attention.BIDIRECTIONAL,
        "https://huggingface.co/Alibaba-NLP/gte-Qwen2-7B-instruct (model card: bidirectional attention, query-side instruction)",
        "Attention follows the card's statement (bidirectional); its custom modeling code was not available to check. "
            + "The query template is E5's (the stored copies of the card did not show its code, so the exact spacing after "
            + "'Query:' could not be re-checked). Override attention or query_prompt to compare.");

    /**
     * SFR-Embedding-Mistral: fine-tuned from E5-Mistral with its usage unchanged (task instruction on queries only,
     * last-token pooling, 4096 tokens, web-search default task). Source: the model card
     * https://huggingface.co/Salesforce/SFR-Embedding-Mistral.
     */
    public static final Preset SFR_MISTRAL = E5_MISTRAL.sameUsageFor("sfr-mistral", List.of("Salesforce/SFR-Embedding-Mistral"),
        "https://huggingface.co/Salesforce/SFR-Embedding-Mistral (model card)",
        "Same settings as e5-mistral; the card documents no difference in how it embeds.");

    /**
     * Linq-Embed-Mistral: built on E5-Mistral and used like it (one-sided instruction on queries, last-token pooling).
     * Source: the model card https://huggingface.co/Linq-AI-Research/Linq-Embed-Mistral and its technical report
     * (arXiv:2412.03223). The card's example task is a Mr.TyDi one whose exact wording we could not read from a stored
     * copy, so the default task here is E5-Mistral's web-search task; set yours in query_prompt.
     */
    public static final Preset LINQ_MISTRAL = E5_MISTRAL.sameUsageFor("linq-mistral", List.of("Linq-AI-Research/Linq-Embed-Mistral"),
        "https://huggingface.co/Linq-AI-Research/Linq-Embed-Mistral (model card); arXiv:2412.03223",
        "Default task is E5-Mistral's web-search one (the card's example task wording could not be verified); "
            + "otherwise as e5-mistral.");

    /**
     * LLARA (Llama2Vec): the text in quotes followed by the EBAE prompt with placeholders {@code <s1>..<s8>} for passages
     * and the EBAR prompt with {@code <s9>..<s16>} for queries; the vector is the mean of the last 8 hidden states (the
     * placeholders), normalized; no EOS. Text is truncated to 512 tokens before the prompt is added, so max_tokens here
     * is 512 plus room for the prompt. Source: https://github.com/FlagOpen/FlagEmbedding/blob/master/research/LLARA/README.md
     * ({@code get_query_inputs}, {@code get_passage_inputs}, {@code hidden_states[-1][:, -8:, :]} mean, normalize).
     */
    public static final Preset LLARA = new Preset("llara",
        List.of("BAAI/LLARA-pretrain", "BAAI/LLARA-passage", "BAAI/LLARA-document", "BAAI/LLARA-beir"),
        Pooling.suffixMean(8),
        "\"{text}\", predict the following passage within eight words: <s9><s10><s11><s12><s13><s14><s15><s16>",
        "\"{text}\", summarize the above passage within eight words: <s1><s2><s3><s4><s5><s6><s7><s8>",
        544, true, EncoderOptions.Attention.CAUSAL,
        "https://github.com/FlagOpen/FlagEmbedding/blob/master/research/LLARA/README.md (usage code)",
        "The reference tokenizes the quote, the text and the prompt suffix separately; here the prompted text is tokenized "
            + "as one string, which can differ at the quote boundaries. The checkpoint's tokenizer must hold <s1>..<s16> as single tokens.");

    /**
     * LLM2Vec: bidirectional attention, mean over the text's own tokens (instruction and BOS excluded), queries as
     * {@code {instruction} {query}}, documents bare, 512 tokens;
     * the checkpoint is the base model with the MNTP LoRA merged plus the supervised (or SimCSE) PEFT adapter. Source:
     * https://github.com/McGill-NLP/llm2vec ({@code llm2vec/llm2vec.py}: {@code pooling_mode="mean"},
     * {@code max_length=512}, {@code skip_instruction=True}, instruction joined to the text by one space; README:
     * the web-search instruction).
     */
    public static final Preset LLM2VEC = new Preset("llm2vec",
        List.of("McGill-NLP/LLM2Vec-Meta-Llama-3-8B-Instruct-mntp-supervised", "McGill-NLP/LLM2Vec-Mistral-7B-Instruct-v2-mntp-supervised",
            "McGill-NLP/LLM2Vec-Sheared-LLaMA-mntp-supervised", "McGill-NLP/LLM2Vec-Llama-2-7b-chat-hf-mntp-supervised"),
        Pooling.TEXT_MEAN, WEB_SEARCH_TASK + ": {text}", "", 512, true, EncoderOptions.Attention.BIDIRECTIONAL,
        "https://github.com/McGill-NLP/llm2vec (llm2vec/llm2vec.py, README)",
        "Set path to the base model with the MNTP adapter merged and adapter to the supervised PEFT adapter. text_mean "
            + "averages the text's own tokens as LLM2Vec's skip_instruction does. LLM2Vec also wraps the text in chat markup "
            + "for its Llama-3-Instruct and Mistral-Instruct bases; this preset does not (put the markup in the prompts if "
            + "you need it; the averaged span then follows LLM2Vec's count from the end only approximately).");

    /** Every preset, in listing order. */
    public static final List<Preset> ALL = List.of(QWEN3_EMBEDDING, E5_MISTRAL, GTE_QWEN2, SFR_MISTRAL, LINQ_MISTRAL, LLARA, LLM2VEC);

    /** Validates. */
    public Preset {
        PromptTemplate.parse(queryPrompt);
        PromptTemplate.parse(passagePrompt);
    }

    /** The recipe of E5-Mistral and the models after it: last-token pooling, an instruction on queries only, bare documents, normalized. */
    private static Preset instructedLastToken(String name, List<String> models, String queryPrompt, int maxTokens,
                                              EncoderOptions.Attention attention, String source, String notes) {
        return new Preset(name, models, Pooling.LAST_TOKEN, queryPrompt, "", maxTokens, true, attention, source, notes);
    }

    /** This preset's settings for other checkpoints that embed exactly as its own do (fine-tunes that keep their usage). */
    private Preset sameUsageFor(String otherName, List<String> otherModels, String otherSource, String otherNotes) {
        return new Preset(otherName, otherModels, pooling, queryPrompt, passagePrompt, maxTokens, normalize, attention, otherSource, otherNotes);
    }

    /** The preset of that name, if any. */
    public static Optional<Preset> find(String name) {
        return ALL.stream().filter(p -> p.name.equals(name)).findFirst();
    }

    /** The preset of that name; an unknown name is an {@link IllegalArgumentException} listing the known ones. */
    public static Preset get(String name) {
        return find(name).orElseThrow(() -> new IllegalArgumentException(
            "unknown preset [" + name + "]; known presets: " + ALL.stream().map(Preset::name).toList()));
    }

    /** {@code options} with this preset's settings (callers apply their explicit fields afterwards). */
    public EncoderOptions applyTo(EncoderOptions options) {
        return options.withPooling(pooling).withPrompts(queryPrompt, passagePrompt).withMaxTokens(maxTokens)
            .withNormalize(normalize).withAttention(attention);
    }

    /** The settings as a JSON-ready map (for listings): the fields a model definition would get from it. */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pooling", pooling.toString());
        m.put("query_prompt", queryPrompt);
        m.put("passage_prompt", passagePrompt);
        m.put("max_tokens", maxTokens);
        m.put("normalize", normalize);
        m.put("attention", attention.toString());
        m.put("append_eos", pooling.mode() == Pooling.Mode.LAST_TOKEN);
        return m;
    }

    /** Everything about the preset as a JSON-ready map. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("models", models);
        m.put("settings", settings());
        m.put("source", source);
        m.put("notes", notes);
        return m;
    }
}
