package org.llmretriever.plugin.inference;

import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.unit.ByteSizeValue;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.monitor.os.OsProbe;

/**
 * The node's budget for model weights in native memory ({@code plugins.llm_retriever.native_memory_limit}, by
 * default half the physical memory). Weights live outside the Java heap, so neither the JVM nor OpenSearch's
 * circuit breakers see them: without this check a second large model would push the node into the OOM killer.
 * The check is made before weights are read, from the parameter count, so a refused load costs nothing.
 */
final class MemoryBudget {
    private volatile long limitBytes;

    MemoryBudget(Settings settings, ClusterSettings clusterSettings) {
        this.limitBytes = limitBytes(LlmRetrieverSettings.NATIVE_MEMORY_LIMIT.get(settings));
        clusterSettings.addSettingsUpdateConsumer(LlmRetrieverSettings.NATIVE_MEMORY_LIMIT, v -> limitBytes = limitBytes(v));
    }

    private static long limitBytes(ByteSizeValue v) {
        if (v.getBytes() > 0) {
            return v.getBytes();
        }
        long total = OsProbe.getInstance().getTotalPhysicalMemorySize();
        return total > 0 ? total / 2 : Long.MAX_VALUE;
    }

    long limitBytes() {
        return limitBytes;
    }

    /** Native bytes a model's weights take: parameters times 2 for float16, 4 otherwise. */
    static long weightBytes(long parameterCount, EncoderOptions.DTypeChoice dtype) {
        return parameterCount * (dtype == EncoderOptions.DTypeChoice.FLOAT16 ? 2 : 4);
    }

    /** Refuses (429, naming the setting) to load {@code need} more bytes on top of {@code used}. */
    void check(String model, long need, long used, String nodeName) {
        long limit = limitBytes;
        if (used + need > limit) {
            throw new OpenSearchStatusException("loading model [" + model + "] needs about " + mib(need) + " of native memory, but "
                + mib(used) + " of the " + mib(limit) + " budget (plugins.llm_retriever.native_memory_limit) is already used by "
                + "loaded models on node [" + nodeName + "]", RestStatus.TOO_MANY_REQUESTS);
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
