package org.llmretriever.plugin.inference;

import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Embeddings;
import org.llmretriever.encoder.Kind;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.runtime.Privileged;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.common.util.concurrent.AbstractRunnable;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.concurrency.OpenSearchRejectedExecutionException;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.threadpool.ThreadPoolStats;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs embeddings on the bounded inference pool, never on a network thread. A full queue fails the call with a
 * 429 naming the node and the setting; a text that cannot be embedded (empty, or too long under {@code fail})
 * fails alone, inside the result, so one bad document does not fail its batch. Single query texts go through
 * the {@link QueryEmbeddingCache}.
 */
final class InferenceDispatcher {
    private final ThreadPool threadPool;
    private final LoadedModels models;
    private final QueryEmbeddingCache cache;
    private final ModelStats stats;
    private final Supplier<String> nodeName;

    InferenceDispatcher(ThreadPool threadPool, LoadedModels models, QueryEmbeddingCache cache, ModelStats stats, Supplier<String> nodeName) {
        this.threadPool = threadPool;
        this.models = models;
        this.cache = cache;
        this.stats = stats;
        this.nodeName = nodeName;
    }

    void embed(ModelDefinition def, List<String> texts, Kind kind, EncoderOptions.Truncation truncation, boolean useCache,
               ActionListener<EmbedResult> listener) {
        String name = def.name();
        InferenceStats st = stats.of(name);
        st.requests.incrementAndGet();
        if (useCache && texts.size() == 1) {
            float[] hit = cache.get(name, def.version(), kind.name(), texts.get(0));
            if (hit != null) {
                st.cacheHits.incrementAndGet();
                listener.onResponse(new EmbedResult(new float[][] { hit }, new String[1], new boolean[1], hit.length, nodeName.get()));
                return;
            }
        }
        // Reserve the model now: a DELETE or reload after this point cannot take it away from this request.
        LoadedModel reserved = models.reserve(def);
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
        return new OpenSearchRejectedExecutionException("the inference queue of node [" + nodeName.get() + "] is full (" + queued
            + " requests waiting, see thread_pool." + LlmRetrieverSettings.INFERENCE_POOL + ".queue_size); retry later or add inference capacity");
    }

    /** Tokenizes each text on its own (a failure stays with its text), then embeds the rest in one call. */
    private EmbedResult compute(LoadedModel lm, List<String> texts, Kind kind, EncoderOptions.Truncation truncation, InferenceStats st) {
        EncoderModel m = LoadedModels.await(lm);
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
            return new EmbedResult(vectors, errors, truncated, m.dimension(), nodeName.get());
        });
    }
}
