package org.llmretriever.plugin.inference;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's {@link InferenceStats} by model name. Kept apart from the loaded models because statistics outlive
 * a reload (a re-registered model keeps its counters) and include models this node only routes to others.
 */
final class ModelStats {
    private final Map<String, InferenceStats> byModel = new ConcurrentHashMap<>();

    /** The statistics of a model, created on first use. */
    InferenceStats of(String model) {
        return byModel.computeIfAbsent(model, n -> new InferenceStats());
    }

    /** A snapshot of a model's statistics (zeros if it has none yet). */
    Map<String, Object> snapshot(String model) {
        InferenceStats st = byModel.get(model);
        return st == null ? new InferenceStats().snapshot() : st.snapshot();
    }

    Set<String> models() {
        return byModel.keySet();
    }

    /** Drops the statistics of models no longer registered. */
    void retainOnly(Collection<String> registered) {
        byModel.keySet().removeIf(n -> !registered.contains(n));
    }
}
