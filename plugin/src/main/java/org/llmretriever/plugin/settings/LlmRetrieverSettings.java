package org.llmretriever.plugin.settings;

import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Setting.Property;

import java.util.List;

/** Every {@code plugins.llm_retriever.*} setting, documented in the README. */
public final class LlmRetrieverSettings {
    private LlmRetrieverSettings() {}

    /** Prefix of all settings. */
    public static final String PREFIX = "plugins.llm_retriever.";

    /**
     * Where libtorch and the DJL JNI library are extracted (once; reused across restarts). Empty means
     * {@code <first path.data>/llm_retriever/native}, which the node may write without extra grants.
     */
    public static final Setting<String> NATIVE_CACHE_DIR = Setting.simpleString(PREFIX + "native_cache_dir", Property.NodeScope);

    /** libtorch intra-op threads per forward pass; 0 = the node's allocated processors. */
    public static final Setting<Integer> TORCH_THREADS = Setting.intSetting(PREFIX + "torch_threads", 0, 0, Property.NodeScope);

    /** All settings of this class, for {@code Plugin#getSettings()}. */
    public static List<Setting<?>> all() {
        return List.of(NATIVE_CACHE_DIR, TORCH_THREADS);
    }
}
