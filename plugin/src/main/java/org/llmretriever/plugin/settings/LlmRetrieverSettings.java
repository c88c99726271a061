package org.llmretriever.plugin.settings;

import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Setting.Property;
import org.opensearch.core.common.unit.ByteSizeValue;

import java.util.List;

/** Every {@code plugins.llm_retriever.*} setting, documented in the README. */
public final class LlmRetrieverSettings {
    private LlmRetrieverSettings() {}

    /** Prefix of all settings. */
    public static final String PREFIX = "plugins.llm_retriever.";

    /** Name of the inference thread pool (its size and queue are {@code thread_pool.llm_retriever_inference.*}). */
    public static final String INFERENCE_POOL = "llm_retriever_inference";

    /**
     * Where libtorch and the DJL JNI library are extracted (once; reused across restarts). Empty means
     * {@code <first path.data>/llm_retriever/native}, which the node may write without extra grants.
     */
    public static final Setting<String> NATIVE_CACHE_DIR = Setting.simpleString(PREFIX + "native_cache_dir", Property.NodeScope);

    /** libtorch intra-op threads per forward pass; 0 = the node's allocated processors. */
    public static final Setting<Integer> TORCH_THREADS = Setting.intSetting(PREFIX + "torch_threads", 0, 0, Property.NodeScope);

    /**
     * Directory that every model path (and adapter path) must lie under. Empty means a {@code llm_models}
     * directory beside the first data path. Paths outside it, with {@code ..}, or symlinks leaving it are refused.
     */
    public static final Setting<String> MODELS_PATH = Setting.simpleString(PREFIX + "models_path", Property.NodeScope);

    /**
     * Native memory that loaded models may use on this node; loading a model beyond it fails with the sizes in
     * the message. 0 means half of the machine's physical memory.
     */
    public static final Setting<ByteSizeValue> NATIVE_MEMORY_LIMIT = Setting.byteSizeSetting(
        PREFIX + "native_memory_limit", ByteSizeValue.ZERO, Property.NodeScope, Property.Dynamic);

    /** Entries of the LRU cache of query embeddings (keyed by model version and text); 0 disables it. */
    public static final Setting<Integer> QUERY_CACHE_SIZE = Setting.intSetting(
        PREFIX + "query_cache.size", 10_000, 0, Property.NodeScope, Property.Dynamic);

    /** Padded tokens (batch × longest) per forward pass. */
    public static final Setting<Integer> MAX_BATCH_TOKENS = Setting.intSetting(
        PREFIX + "max_batch_tokens", 16_384, 64, Property.NodeScope);

    /** Texts per forward pass. */
    public static final Setting<Integer> MAX_BATCH_SIZE = Setting.intSetting(PREFIX + "max_batch_size", 64, 1, Property.NodeScope);

    /** Texts in one {@code _embed} request or one ingest sub-batch call. */
    public static final Setting<Integer> MAX_TEXTS_PER_REQUEST = Setting.intSetting(
        PREFIX + "max_texts_per_request", 1024, 1, Property.NodeScope, Property.Dynamic);

    /** Sequences longer than this many tokens use block-wise attention (memory linear in length). */
    public static final Setting<Integer> BLOCKWISE_ATTENTION_ABOVE = Setting.intSetting(
        PREFIX + "blockwise_attention_above", 1024, 16, Property.NodeScope);

    /**
     * Which nodes run models, as {@code attribute:value} (e.g. {@code llm_inference:true} for nodes started with
     * {@code node.attr.llm_inference: true}); several alternatives comma-separated. Other nodes send their
     * embedding work there over the transport layer. Empty: every node embeds locally.
     */
    public static final Setting<String> INFERENCE_NODES = Setting.simpleString(PREFIX + "inference_nodes", Property.NodeScope, Property.Dynamic);

    /** All settings of this class, for {@code Plugin#getSettings()}. */
    public static List<Setting<?>> all() {
        return List.of(NATIVE_CACHE_DIR, TORCH_THREADS, MODELS_PATH, NATIVE_MEMORY_LIMIT, QUERY_CACHE_SIZE, MAX_BATCH_TOKENS,
            MAX_BATCH_SIZE, MAX_TEXTS_PER_REQUEST, BLOCKWISE_ATTENTION_ABOVE, INFERENCE_NODES);
    }
}
