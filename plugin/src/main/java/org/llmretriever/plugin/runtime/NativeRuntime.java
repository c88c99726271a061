package org.llmretriever.plugin.runtime;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.llmretriever.encoder.runtime.TorchRuntime;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.OpenSearchExecutors;
import org.opensearch.env.Environment;

import java.nio.file.Path;

/**
 * The node's handle on libtorch: decides the native cache directory and thread count from node settings and
 * loads the engine lazily (first use, never on a network thread).
 */
public final class NativeRuntime {
    private static final Logger LOG = LogManager.getLogger(NativeRuntime.class);

    private final Path cacheDir;
    private final int threads;

    /** Reads the settings; loads nothing. */
    public NativeRuntime(Settings settings, Environment environment) {
        String configured = LlmRetrieverSettings.NATIVE_CACHE_DIR.get(settings);
        this.cacheDir = configured.isBlank()
            ? environment.dataFiles()[0].resolve("llm_retriever").resolve("native")
            : Path.of(configured).toAbsolutePath();
        int t = LlmRetrieverSettings.TORCH_THREADS.get(settings);
        this.threads = t > 0 ? t : OpenSearchExecutors.allocatedProcessors(settings);
    }

    /** Where libtorch is extracted. */
    public Path cacheDir() {
        return cacheDir;
    }

    /** Loads libtorch if needed and describes it. Slow on first call (extracts natives): never call on a network thread. */
    public TorchRuntime.RuntimeInfo info() {
        return Privileged.run(() -> {
            if (!TorchRuntime.isLoaded()) {
                LOG.info("loading libtorch (native cache {}, {} intra-op threads)", cacheDir, threads);
                TorchRuntime.configure(cacheDir, threads);
            }
            return TorchRuntime.info();
        });
    }
}
