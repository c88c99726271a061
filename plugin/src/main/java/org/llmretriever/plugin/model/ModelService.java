package org.llmretriever.plugin.model;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Embeddings;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.plugin.runtime.NativeRuntime;
import org.llmretriever.plugin.runtime.Privileged;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.OpenSearchException;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.cluster.ClusterChangedEvent;
import org.opensearch.cluster.ClusterStateListener;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.util.concurrent.AbstractRunnable;
import org.opensearch.core.concurrency.OpenSearchRejectedExecutionException;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.unit.ByteSizeValue;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.env.Environment;
import org.opensearch.monitor.os.OsProbe;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.threadpool.ThreadPoolStats;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The node's model runtime: loads registered models on first use (or on {@code _load}), keeps them
 * reference-counted, runs every embedding on the bounded inference thread pool (full queue → 429), enforces the
 * native-memory budget, caches query vectors and keeps per-model statistics. Never runs on a network thread.
 */
public final class ModelService implements ClusterStateListener {
    private static final Logger LOG = LogManager.getLogger(ModelService.class);

    private final ClusterService clusterService;
    private final ThreadPool threadPool;
    private final NativeRuntime runtime;
    private final ModelPaths paths;
    private final int maxBatchTokens;
    private final int maxBatchSize;
    private final int blockwiseAbove;
    private volatile long memoryLimitBytes;
    private final QueryEmbeddingCache cache;
    private final Map<String, LoadedModel> loaded = new ConcurrentHashMap<>();
    private final Map<String, InferenceStats> stats = new ConcurrentHashMap<>();

    /** Reads settings; loads nothing. */
    public ModelService(Settings settings, Environment env, ClusterService clusterService, ThreadPool threadPool, NativeRuntime runtime) {
        this.clusterService = clusterService;
        this.threadPool = threadPool;
        this.runtime = runtime;
        String configured = LlmRetrieverSettings.MODELS_PATH.get(settings);
        this.paths = new ModelPaths(configured.isBlank() ? env.dataFiles()[0].toAbsolutePath().getParent().resolve("llm_models") : Path.of(configured));
        this.maxBatchTokens = LlmRetrieverSettings.MAX_BATCH_TOKENS.get(settings);
        this.maxBatchSize = LlmRetrieverSettings.MAX_BATCH_SIZE.get(settings);
        this.blockwiseAbove = LlmRetrieverSettings.BLOCKWISE_ATTENTION_ABOVE.get(settings);
        this.memoryLimitBytes = limitBytes(LlmRetrieverSettings.NATIVE_MEMORY_LIMIT.get(settings));
        this.cache = new QueryEmbeddingCache(LlmRetrieverSettings.QUERY_CACHE_SIZE.get(settings));
        clusterService.getClusterSettings().addSettingsUpdateConsumer(LlmRetrieverSettings.NATIVE_MEMORY_LIMIT, v -> memoryLimitBytes = limitBytes(v));
        clusterService.getClusterSettings().addSettingsUpdateConsumer(LlmRetrieverSettings.QUERY_CACHE_SIZE, cache::setCapacity);
    }

    private static long limitBytes(ByteSizeValue v) {
        if (v.getBytes() > 0) {
            return v.getBytes();
        }
        long total = OsProbe.getInstance().getTotalPhysicalMemorySize();
        return total > 0 ? total / 2 : Long.MAX_VALUE;
    }

    /** Path confinement for model and adapter paths. */
    public ModelPaths paths() {
        return paths;
    }

    /** The registered definition of a model, or a 404 naming it. */
    public ModelDefinition definition(String name) {
        ModelDefinition d = ModelsMetadata.of(clusterService.state().metadata()).models().get(name);
        if (d == null) {
            throw new ResourceNotFoundException("model [" + name + "] is not registered (register it with PUT /_plugins/_llm_retriever/models/" + name + ")");
        }
        return d;
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
            EncoderModel.checkAttention(spec, org.llmretriever.encoder.EncoderOptions.Attention.parse(request.attention()), request.maxTokens());
            return spec;
        });
    }

    InferenceStats stats(String name) {
        return stats.computeIfAbsent(name, n -> new InferenceStats());
    }

    /** Counts a request this node sent to another (inference) node. */
    public void recordRouted(String model, String node) {
        stats(model).routed(node);
    }

    /**
     * Embeds texts with a model on this node's inference pool. Per-text failures (empty text, over-long text
     * under {@code fail}) come back inside the result; a full queue fails the call with 429.
     */
    public void embed(String name, List<String> texts, Kind kind, EncoderOptions.Truncation truncation, boolean useCache,
                      ActionListener<EmbedResult> listener) {
        ModelDefinition def;
        try {
            def = definition(name);
        } catch (RuntimeException e) {
            listener.onFailure(e);
            return;
        }
        InferenceStats st = stats(name);
        st.requests.incrementAndGet();
        if (useCache && texts.size() == 1) {
            float[] hit = cache.get(name, def.version(), kind.name(), texts.get(0));
            if (hit != null) {
                st.cacheHits.incrementAndGet();
                listener.onResponse(new EmbedResult(new float[][] { hit }, new String[1], new boolean[1], hit.length, nodeName()));
                return;
            }
        }
        // Reserve the model now: a DELETE or reload after this point cannot take it away from this request.
        LoadedModel reserved = reserve(def);
        AbstractRunnable task = new AbstractRunnable() {
            private boolean released;

            private void release() {
                if (!released) {
                    released = true;
                    reserved.release();
                }
            }

            @Override
            protected void doRun() {
                long t0 = System.nanoTime();
                EmbedResult r;
                try {
                    r = compute(reserved, texts, kind, truncation, st);
                } finally {
                    release();
                }
                st.recordLatency((System.nanoTime() - t0) / 1e6);
                if (useCache && texts.size() == 1 && r.vector(0) != null) {
                    cache.put(name, def.version(), kind.name(), texts.get(0), r.vector(0));
                }
                listener.onResponse(r);
            }

            @Override
            public void onFailure(Exception e) {
                release();
                st.errors.incrementAndGet();
                listener.onFailure(e);
            }

            @Override
            public void onRejection(Exception e) {
                release();
                st.rejections.incrementAndGet();
                listener.onFailure(rejected(e));
            }
        };
        try {
            threadPool.executor(LlmRetrieverSettings.INFERENCE_POOL).execute(task);
        } catch (OpenSearchRejectedExecutionException e) {
            task.onRejection(e);
        }
    }

    private OpenSearchRejectedExecutionException rejected(Exception cause) {
        long queued = 0;
        for (ThreadPoolStats.Stats s : threadPool.stats()) {
            if (s.getName().equals(LlmRetrieverSettings.INFERENCE_POOL)) {
                queued = s.getQueue();
            }
        }
        return new OpenSearchRejectedExecutionException("the inference queue of node [" + nodeName() + "] is full (" + queued
            + " requests waiting, see thread_pool." + LlmRetrieverSettings.INFERENCE_POOL + ".queue_size); retry later or add inference capacity");
    }

    private String nodeName() {
        return clusterService.localNode() == null ? "" : clusterService.localNode().getName();
    }

    private EmbedResult compute(LoadedModel lm, List<String> texts, Kind kind, EncoderOptions.Truncation truncation, InferenceStats st) {
        EncoderModel m = await(lm);
        return Privileged.run(() -> {
                int n = texts.size();
                String[] errors = new String[n];
                boolean[] truncated = new boolean[n];
                List<long[]> seqs = new ArrayList<>();
                List<int[]> spans = new ArrayList<>();
                List<Integer> ok = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    try {
                        EncoderModel.Tokenized t = m.tokenize(texts.get(i), kind, truncation);
                        seqs.add(t.ids());
                        spans.add(t.span());
                        ok.add(i);
                        truncated[i] = t.truncated();
                    } catch (IllegalArgumentException e) {
                        errors[i] = "text " + e.getMessage();
                    }
                }
                float[][] vectors = new float[n][];
                if (!seqs.isEmpty()) {
                    Embeddings e = m.embedPrepared(seqs, 0, spans);
                    for (int j = 0; j < ok.size(); j++) {
                        vectors[ok.get(j)] = e.vectors()[j];
                    }
                    st.tokens.addAndGet(e.tokens());
                    st.paddedTokens.addAndGet(e.paddedTokens());
                    st.batches.addAndGet(e.batches());
                }
                st.texts.addAndGet(seqs.size());
                int truncCount = 0;
                for (boolean b : truncated) {
                    truncCount += b ? 1 : 0;
                }
                st.truncated.addAndGet(truncCount);
                st.errors.addAndGet(n - seqs.size());
                return new EmbedResult(vectors, errors, truncated, m.dimension(), nodeName());
            });
    }

    /**
     * A reference to the loaded (or loading) model of a definition, starting its load on the generic pool if
     * needed; never blocks. The caller must release it.
     */
    LoadedModel reserve(ModelDefinition def) {
        while (true) {
            LoadedModel cur = loaded.get(def.name());
            if (cur == null || cur.definition.version() != def.version()) {
                LoadedModel fresh = new LoadedModel(def);
                boolean swapped = cur == null ? loaded.putIfAbsent(def.name(), fresh) == null : loaded.replace(def.name(), cur, fresh);
                if (!swapped) {
                    continue;
                }
                if (cur != null) {
                    cur.release(); // the registry's reference to the old version
                }
                if (!fresh.tryAcquire()) {
                    continue;
                }
                threadPool.generic().execute(() -> load(fresh));
                return fresh;
            }
            if (cur.tryAcquire()) {
                return cur;
            }
        }
    }

    /**
     * What requests waiting on a failed load see: an unusable checkpoint (damaged files, unsupported architecture)
     * is the registered definition's fault, a 400 naming the model; statuses already chosen are kept.
     */
    private static RuntimeException asLoadFailure(ModelDefinition def, RuntimeException e) {
        if (e instanceof OpenSearchException) {
            return e;
        }
        boolean badCheckpoint = e instanceof CheckpointException || e instanceof IllegalArgumentException;
        return new OpenSearchStatusException("model [" + def.name() + "] cannot be loaded from [" + def.path() + "]: " + e.getMessage(),
            badCheckpoint ? RestStatus.BAD_REQUEST : RestStatus.INTERNAL_SERVER_ERROR);
    }

    /** Waits until a reserved model is loaded; its load failure is rethrown. */
    private static EncoderModel await(LoadedModel lm) {
        try {
            return lm.future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpenSearchStatusException("interrupted while loading model [" + lm.definition.name() + "]", RestStatus.SERVICE_UNAVAILABLE);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c.getMessage(), c);
        }
    }

    private void load(LoadedModel lm) {
        ModelDefinition def = lm.definition;
        long t0 = System.nanoTime();
        try {
            runtime.info(); // libtorch loaded, natives extracted
            EncoderModel m = Privileged.run(() -> {
                Path dir = paths.resolve(def.path(), "path");
                Path adapter = def.adapter() == null ? null : paths.resolve(def.adapter(), "adapter");
                ModelSpec spec = EncoderModel.inspect(dir);
                long bytesPerParam = "float16".equals(def.dtype()) ? 2 : 4;
                long need = spec.parameterCount() * bytesPerParam;
                long used = loaded.values().stream().filter(x -> x != lm && x.state == LoadedModel.State.READY).mapToLong(x -> x.memoryBytes).sum();
                if (used + need > memoryLimitBytes) {
                    throw new OpenSearchStatusException("loading model [" + def.name() + "] needs about " + mib(need) + " of native memory, but "
                        + mib(used) + " of the " + mib(memoryLimitBytes) + " budget (plugins.llm_retriever.native_memory_limit) is already used by "
                        + "loaded models on node [" + nodeName() + "]", RestStatus.TOO_MANY_REQUESTS);
                }
                lm.memoryBytes = need;
                return EncoderModel.load(dir, def.encoderOptions(maxBatchTokens, maxBatchSize, blockwiseAbove, adapter));
            });
            lm.device = m.model().device().toString();
            lm.dtype = m.model().dtype().toString().toLowerCase(java.util.Locale.ROOT);
            lm.loadMillis = (System.nanoTime() - t0) / 1_000_000;
            lm.state = LoadedModel.State.READY;
            LOG.info("loaded model [{}] v{} from [{}] on {} ({}) in {} ms", def.name(), def.version(), def.path(), lm.device, lm.dtype, lm.loadMillis);
            lm.future.complete(m);
        } catch (RuntimeException e) {
            lm.state = LoadedModel.State.FAILED;
            lm.failure = e.getMessage();
            LOG.warn("loading model [" + def.name() + "] failed", e);
            lm.future.completeExceptionally(asLoadFailure(def, e));
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    /**
     * Loads a model now (for {@code _load}); a failed earlier attempt is retried. Returns this node's state after
     * the attempt. Runs on the calling (generic) thread.
     */
    public Map<String, Object> loadNow(String name) {
        ModelDefinition def = definition(name);
        LoadedModel cur = loaded.get(name);
        if (cur != null && cur.state == LoadedModel.State.FAILED && loaded.remove(name, cur)) {
            cur.release();
        }
        LoadedModel lm = reserve(def);
        try {
            await(lm);
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
            m.put("state", lm.state.name().toLowerCase(java.util.Locale.ROOT));
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
        InferenceStats st = stats.get(name);
        m.put("stats", st == null ? new InferenceStats().snapshot() : st.snapshot());
        return m;
    }

    /** This node's inference pool and cache, for {@code GET stats}. */
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
        m.put("native_memory_limit_bytes", memoryLimitBytes);
        m.put("native_memory_used_bytes", loaded.values().stream().filter(x -> x.state == LoadedModel.State.READY).mapToLong(x -> x.memoryBytes).sum());
        m.put("models_path", paths.root().toString());
        return m;
    }

    /** Names of models this node has state or statistics for, plus all registered ones. */
    public List<String> knownModels() {
        List<String> names = new ArrayList<>(ModelsMetadata.of(clusterService.state().metadata()).models().keySet());
        for (String n : stats.keySet()) {
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
        for (Map.Entry<String, LoadedModel> e : loaded.entrySet()) {
            ModelDefinition d = defs.get(e.getKey());
            if (d == null || d.version() != e.getValue().definition.version()) {
                if (loaded.remove(e.getKey(), e.getValue())) {
                    LOG.info("unloading model [{}] v{} ({}); in-flight requests finish first", e.getKey(), e.getValue().definition.version(),
                        d == null ? "deleted" : "re-registered as v" + d.version());
                    e.getValue().release();
                }
            }
        }
        stats.keySet().removeIf(n -> !defs.containsKey(n));
    }

    /** Unloads everything (node shutdown). */
    public void close() {
        for (String n : new ArrayList<>(loaded.keySet())) {
            LoadedModel lm = loaded.remove(n);
            if (lm != null) {
                lm.release();
            }
        }
    }
}
