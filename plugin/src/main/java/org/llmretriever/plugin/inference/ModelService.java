package org.llmretriever.plugin.inference;

import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.model.ModelPaths;
import org.llmretriever.plugin.model.ModelsMetadata;
import org.llmretriever.plugin.registry.ModelRegistry;
import org.llmretriever.plugin.runtime.NativeRuntime;
import org.llmretriever.plugin.runtime.Privileged;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.cluster.ClusterChangedEvent;
import org.opensearch.cluster.ClusterStateListener;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.action.ActionListener;
import org.opensearch.env.Environment;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.threadpool.ThreadPoolStats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The node's model runtime as the transport actions see it. It wires {@link LoadedModels} (loading and reference
 * counting), {@link MemoryBudget}, {@link InferenceDispatcher} (the inference pool, per-text errors, the query
 * cache) and {@link ModelStats} together, follows the registry in cluster state (unloading deleted or
 * re-registered models) and reports this node's state for the models and stats APIs.
 */
public final class ModelService implements ClusterStateListener {
    private final ClusterService clusterService;
    private final ThreadPool threadPool;
    private final ModelRegistry registry;
    private final ModelPaths paths;
    private final MemoryBudget budget;
    private final QueryEmbeddingCache cache;
    private final ModelStats stats = new ModelStats();
    private final LoadedModels loaded;
    private final InferenceDispatcher dispatcher;

    /** Reads settings; loads nothing. */
    public ModelService(Settings settings, Environment env, ClusterService clusterService, ThreadPool threadPool, NativeRuntime runtime,
                        ModelRegistry registry) {
        this.clusterService = clusterService;
        this.threadPool = threadPool;
        this.registry = registry;
        String configured = LlmRetrieverSettings.MODELS_PATH.get(settings);
        this.paths = new ModelPaths(configured.isBlank() ? env.dataFiles()[0].toAbsolutePath().getParent().resolve("llm_models") : Path.of(configured));
        this.budget = new MemoryBudget(settings, clusterService.getClusterSettings());
        this.cache = new QueryEmbeddingCache(LlmRetrieverSettings.QUERY_CACHE_SIZE.get(settings));
        clusterService.getClusterSettings().addSettingsUpdateConsumer(LlmRetrieverSettings.QUERY_CACHE_SIZE, cache::setCapacity);
        this.loaded = new LoadedModels(threadPool, runtime, paths, budget, LlmRetrieverSettings.MAX_BATCH_TOKENS.get(settings),
            LlmRetrieverSettings.MAX_BATCH_SIZE.get(settings), LlmRetrieverSettings.BLOCKWISE_ATTENTION_ABOVE.get(settings), this::nodeName);
        this.dispatcher = new InferenceDispatcher(threadPool, loaded, cache, stats, this::nodeName);
    }

    private String nodeName() {
        return clusterService.localNode() == null ? "" : clusterService.localNode().getName();
    }

    /**
     * Validates a model request from config and safetensors headers only (no weights read): path confinement,
     * family, dimension, parameter count. Runs privileged (reads files under models_path).
     */
    public ModelSpec inspect(ModelDefinition request) {
        return Privileged.run(() -> {
            Path dir = paths.resolve(request.path(), "path");
            if (request.adapter() != null) {
                paths.resolve(request.adapter(), "adapter");
            }
            ModelSpec spec = EncoderModel.inspect(dir);
            EncoderModel.checkAttention(spec, request.attention(), request.maxTokens());
            if (request.pooling().mode() == Pooling.Mode.WEIGHTED_MEAN) {
                EncoderModel.requireTokenWeights(dir); // 400 at registration, not a failure at the first embedding
            }
            return spec;
        });
    }

    /** Counts a request this node sent to another (inference) node. */
    public void recordRouted(String model, String node) {
        stats.of(model).routed(node);
    }

    /**
     * Embeds texts with a registered model on this node's inference pool (404 if it is not registered). Per-text
     * failures come back inside the result; a full queue fails the call with 429.
     */
    public void embed(String name, List<String> texts, Kind kind, EncoderOptions.Truncation truncation, boolean useCache,
                      ActionListener<EmbedResult> listener) {
        ModelDefinition def;
        try {
            def = registry.definition(name);
        } catch (RuntimeException e) {
            listener.onFailure(e);
            return;
        }
        dispatcher.embed(def, texts, kind, truncation, useCache, listener);
    }

    /**
     * Loads a model now (for {@code _load}); a failed earlier attempt is retried. Returns this node's state after
     * the attempt. Runs on the calling (generic) thread.
     */
    public Map<String, Object> loadNow(String name) {
        ModelDefinition def = registry.definition(name);
        loaded.forgetFailure(name);
        LoadedModel lm = loaded.reserve(def);
        try {
            LoadedModels.await(lm);
        } catch (RuntimeException e) {
            // the state below reports the failure
        } finally {
            lm.release();
        }
        return modelState(name);
    }

    /** This node's view of one model: state, device, memory, failure reason, statistics. */
    public Map<String, Object> modelState(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        LoadedModel lm = loaded.get(name);
        if (lm == null) {
            m.put("state", "not_loaded");
        } else {
            m.put("state", lm.state.name().toLowerCase(Locale.ROOT));
            m.put("version", lm.definition.version());
            if (lm.state == LoadedModel.State.READY) {
                m.put("device", lm.device);
                m.put("dtype", lm.dtype);
                m.put("memory_bytes", lm.memoryBytes);
                m.put("load_millis", lm.loadMillis);
            }
            if (lm.failure != null) {
                m.put("reason", lm.failure);
            }
        }
        m.put("stats", stats.snapshot(name));
        return m;
    }

    /** This node's inference pool, query cache and memory budget, for {@code GET stats}. */
    public Map<String, Object> nodeState() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ThreadPoolStats.Stats s : threadPool.stats()) {
            if (s.getName().equals(LlmRetrieverSettings.INFERENCE_POOL)) {
                m.put("queue_depth", s.getQueue());
                m.put("active_threads", s.getActive());
                m.put("pool_threads", s.getThreads());
                m.put("pool_rejections", s.getRejected());
                m.put("completed", s.getCompleted());
            }
        }
        m.put("query_cache_entries", cache.size());
        m.put("native_memory_limit_bytes", budget.limitBytes());
        m.put("native_memory_used_bytes", loaded.usedBytes());
        m.put("models_path", paths.root().toString());
        return m;
    }

    /** Names of all registered models, plus any this node still has statistics for. */
    public List<String> knownModels() {
        List<String> names = new ArrayList<>(registry.definitions().keySet());
        for (String n : stats.models()) {
            if (!names.contains(n)) {
                names.add(n);
            }
        }
        return names;
    }

    @Override
    public void clusterChanged(ClusterChangedEvent event) {
        if (!event.metadataChanged()) {
            return;
        }
        Map<String, ModelDefinition> defs = ModelsMetadata.of(event.state().metadata()).models();
        loaded.unloadStale(defs);
        stats.retainOnly(defs.keySet());
    }

    /** Unloads everything (node shutdown). */
    public void close() {
        loaded.close();
    }
}
