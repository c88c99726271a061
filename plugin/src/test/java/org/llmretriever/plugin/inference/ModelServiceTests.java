package org.llmretriever.plugin.inference;

import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.model.ModelsMetadata;
import org.llmretriever.plugin.registry.ModelRegistry;
import org.llmretriever.plugin.runtime.NativeRuntime;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.settings.ClusterSettings;
import org.opensearch.common.settings.Setting;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.concurrency.OpenSearchRejectedExecutionException;
import org.opensearch.env.Environment;
import org.opensearch.env.TestEnvironment;
import org.opensearch.test.ClusterServiceUtils;
import org.opensearch.test.OpenSearchTestCase;
import org.opensearch.threadpool.FixedExecutorBuilder;
import org.opensearch.threadpool.TestThreadPool;
import org.opensearch.threadpool.ThreadPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The node runtime: a full inference queue rejects with a clear 429, and a deleted model outlives in-flight requests. */
public class ModelServiceTests extends OpenSearchTestCase {
    private ThreadPool threadPool;
    private ClusterService clusterService;
    private ModelService service;
    private Path modelsDir;

    @Override
    public void setUp() throws Exception {
        super.setUp();
        Path home = createTempDir();
        modelsDir = home.resolve("models");
        RandomCheckpoints.write(modelsDir.resolve("tiny"), "llama", 1);
        Settings settings = Settings.builder()
            .put("path.home", home)
            .put(LlmRetrieverSettings.MODELS_PATH.getKey(), modelsDir.toString())
            .put(LlmRetrieverSettings.NATIVE_CACHE_DIR.getKey(), System.getProperty("llmretriever.native.cache", home.resolve("native").toString()))
            .put("node.name", "test-node")
            .build();
        // One inference thread and a queue of one: the third concurrent request is rejected.
        threadPool = new TestThreadPool("model-service-tests",
            new FixedExecutorBuilder(settings, LlmRetrieverSettings.INFERENCE_POOL, 1, 1, "thread_pool." + LlmRetrieverSettings.INFERENCE_POOL));
        Set<Setting<?>> all = new HashSet<>(ClusterSettings.BUILT_IN_CLUSTER_SETTINGS);
        all.addAll(LlmRetrieverSettings.all());
        clusterService = ClusterServiceUtils.createClusterService(threadPool, ClusterServiceUtils.createClusterService(threadPool).localNode(),
            new ClusterSettings(settings, all));
        Environment env = TestEnvironment.newEnvironment(settings);
        service = new ModelService(settings, env, clusterService, threadPool, new NativeRuntime(settings, env), new ModelRegistry(clusterService));
        register(1);
    }

    private void register(long version) {
        ModelDefinition def = ModelDefinition.fromRequest("tiny", Map.of("path", "tiny"))
            .withDerived(32, "llama", "llama", 1000, version, 0);
        ClusterState state = ClusterState.builder(clusterService.state())
            .metadata(Metadata.builder(clusterService.state().metadata()).putCustom(ModelsMetadata.TYPE, new ModelsMetadata(Map.of("tiny", def))))
            .build();
        ClusterServiceUtils.setState(clusterService, state);
        service.clusterChanged(new org.opensearch.cluster.ClusterChangedEvent("test", state, state));
    }

    @Override
    public void tearDown() throws Exception {
        service.close();
        clusterService.close();
        ThreadPool.terminate(threadPool, 10, TimeUnit.SECONDS);
        super.tearDown();
    }

    /** Starts one embedding request; the future completes with its {@link EmbedResult} or with its exception. */
    private CompletableFuture<Object> embed(String text, Kind kind, boolean useCache) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        service.embed("tiny", List.of(text), kind, EncoderOptions.Truncation.TRUNCATE, useCache, ActionListener.wrap(outcome::complete, outcome::complete));
        return outcome;
    }

    public void testFullQueueRejectsWithAClearReason() throws Exception {
        int n = 6;
        List<CompletableFuture<Object>> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(embed("text " + i, Kind.PASSAGE, false));
        }
        CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        List<Object> outcomes = requests.stream().map(CompletableFuture::join).toList();
        long rejected = outcomes.stream().filter(o -> o instanceof OpenSearchRejectedExecutionException).count();
        long ok = outcomes.stream().filter(o -> o instanceof EmbedResult).count();
        assertTrue("some requests must be rejected: " + outcomes, rejected >= 1);
        assertTrue("the first requests run: " + outcomes, ok >= 2);
        assertEquals(n, rejected + ok);
        OpenSearchRejectedExecutionException e = (OpenSearchRejectedExecutionException) outcomes.stream()
            .filter(o -> o instanceof OpenSearchRejectedExecutionException).findFirst().orElseThrow();
        assertTrue(e.getMessage(), e.getMessage().contains("inference queue of node [") && e.getMessage().contains("queue_size"));
        assertEquals(rejected, ((Number) ((Map<?, ?>) service.modelState("tiny").get("stats")).get("rejections")).longValue());
    }

    public void testReRegistrationDoesNotBreakInFlightRequestsAndReloads() throws Exception {
        CompletableFuture<Object> first = embed("hello", Kind.QUERY, true);
        register(2); // while (or right after) the first request runs
        Object outcome = first.get(60, TimeUnit.SECONDS);
        assertTrue(String.valueOf(outcome), outcome instanceof EmbedResult);
        outcome = embed("hello", Kind.QUERY, true).get(60, TimeUnit.SECONDS);
        assertTrue(String.valueOf(outcome), outcome instanceof EmbedResult);
        assertEquals(2L, service.modelState("tiny").get("version"));
        assertEquals("ready", service.modelState("tiny").get("state"));
    }

    public void testAFailedLoadIsRetriedByLoadNowOnceTheCauseIsFixed() throws Exception {
        Path weights = modelsDir.resolve("tiny/model.safetensors");
        Path aside = modelsDir.resolve("model.safetensors.aside");
        Files.move(weights, aside);
        Map<String, Object> failed = service.loadNow("tiny");
        assertEquals(failed.toString(), "failed", failed.get("state"));
        assertTrue(failed.toString(), String.valueOf(failed.get("reason")).contains("safetensors"));
        Files.move(aside, weights);
        Map<String, Object> ready = service.loadNow("tiny"); // releasing the failed entry must not throw its failure
        assertEquals(ready.toString(), "ready", ready.get("state"));
    }
}
