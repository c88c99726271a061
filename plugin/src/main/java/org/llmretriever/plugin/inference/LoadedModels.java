package org.llmretriever.plugin.inference;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.model.ModelPaths;
import org.llmretriever.plugin.runtime.NativeRuntime;
import org.llmretriever.plugin.runtime.Privileged;
import org.opensearch.OpenSearchException;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.threadpool.ThreadPool;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The models loaded (or loading, or failed) on this node, one {@link LoadedModel} per name. Loads happen on the
 * generic pool on first use and never block the caller; a request holds a reference for as long as it runs, so
 * a DELETE or re-registration (which only drops the registry's reference) frees native memory after the last
 * in-flight request, never under it.
 */
final class LoadedModels {
    private static final Logger LOG = LogManager.getLogger(LoadedModels.class);

    private final Map<String, LoadedModel> loaded = new ConcurrentHashMap<>();
    private final ThreadPool threadPool;
    private final NativeRuntime runtime;
    private final ModelPaths paths;
    private final MemoryBudget budget;
    private final int maxBatchTokens;
    private final int maxBatchSize;
    private final int blockwiseAbove;
    private final Supplier<String> nodeName;

    LoadedModels(ThreadPool threadPool, NativeRuntime runtime, ModelPaths paths, MemoryBudget budget, int maxBatchTokens, int maxBatchSize,
                 int blockwiseAbove, Supplier<String> nodeName) {
        this.threadPool = threadPool;
        this.runtime = runtime;
        this.paths = paths;
        this.budget = budget;
        this.maxBatchTokens = maxBatchTokens;
        this.maxBatchSize = maxBatchSize;
        this.blockwiseAbove = blockwiseAbove;
        this.nodeName = nodeName;
    }

    /** The entry of a model, or null if this node has none. */
    LoadedModel get(String name) {
        return loaded.get(name);
    }

    /** Native bytes taken by the weights of models that finished loading. */
    long usedBytes() {
        return usedBytesExcept(null);
    }

    private long usedBytesExcept(LoadedModel self) {
        return loaded.values().stream().filter(x -> x != self && x.state == LoadedModel.State.READY).mapToLong(x -> x.memoryBytes).sum();
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

    /** Forgets a failed load of a model, so that the next {@link #reserve} tries again. */
    void forgetFailure(String name) {
        LoadedModel cur = loaded.get(name);
        if (cur != null && cur.state == LoadedModel.State.FAILED && loaded.remove(name, cur)) {
            cur.release();
        }
    }

    /** Waits until a reserved model is loaded; its load failure is rethrown. */
    static EncoderModel await(LoadedModel lm) {
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

    private void load(LoadedModel lm) {
        ModelDefinition def = lm.definition;
        long t0 = System.nanoTime();
        try {
            runtime.info(); // libtorch loaded, natives extracted
            EncoderModel m = Privileged.run(() -> {
                Path dir = paths.resolve(def.path(), "path");
                Path adapter = def.adapter() == null ? null : paths.resolve(def.adapter(), "adapter");
                ModelSpec spec = EncoderModel.inspect(dir);
                long need = MemoryBudget.weightBytes(spec.parameterCount(), def.dtype());
                budget.check(def.name(), need, usedBytesExcept(lm), nodeName.get());
                lm.memoryBytes = need;
                return EncoderModel.load(dir, def.encoderOptions(maxBatchTokens, maxBatchSize, blockwiseAbove, adapter));
            });
            lm.device = m.model().device().toString();
            lm.dtype = m.model().dtype().toString().toLowerCase(Locale.ROOT);
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

    /** Drops the registry's reference to models deleted or re-registered (in-flight requests finish first). */
    void unloadStale(Map<String, ModelDefinition> registered) {
        for (Map.Entry<String, LoadedModel> e : loaded.entrySet()) {
            ModelDefinition d = registered.get(e.getKey());
            if (d == null || d.version() != e.getValue().definition.version()) {
                if (loaded.remove(e.getKey(), e.getValue())) {
                    LOG.info("unloading model [{}] v{} ({}); in-flight requests finish first", e.getKey(), e.getValue().definition.version(),
                        d == null ? "deleted" : "re-registered as v" + d.version());
                    e.getValue().release();
                }
            }
        }
    }

    /** Drops every registry reference (node shutdown). */
    void close() {
        for (String n : new ArrayList<>(loaded.keySet())) {
            LoadedModel lm = loaded.remove(n);
            if (lm != null) {
                lm.release();
            }
        }
    }
}
