package org.llmretriever.plugin.registry;

import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.plugin.model.ModelDefinition;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.action.support.PlainActionFuture;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.ingest.IngestMetadata;
import org.opensearch.ingest.PipelineConfiguration;
import org.opensearch.test.ClusterServiceUtils;
import org.opensearch.test.OpenSearchTestCase;
import org.opensearch.threadpool.TestThreadPool;
import org.opensearch.threadpool.ThreadPool;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The registry: PUT numbers versions and says whether the name was new, DELETE refuses unknown models and models
 * an ingest pipeline uses (unless forced), and the pipeline scan finds llm_embedding processors naming a model.
 */
public class ModelRegistryTests extends OpenSearchTestCase {
    private static PipelineConfiguration pipeline(String id, String json) {
        return new PipelineConfiguration(id, new BytesArray(json), XContentType.JSON);
    }

    public void testPipelinesUsingAModel() {
        IngestMetadata ingest = new IngestMetadata(Map.of(
            "direct", pipeline("direct", "{\"processors\":[{\"set\":{\"field\":\"a\",\"value\":1}},{\"llm_embedding\":{\"model\":\"m\",\"field_map\":{\"t\":\"v\"}}}]}"),
            "fallback", pipeline("fallback", "{\"processors\":[{\"set\":{\"field\":\"a\",\"value\":1,\"on_failure\":[{\"llm_embedding\":{\"model\":\"m\"}}]}}]}"),
            "other-model", pipeline("other-model", "{\"processors\":[{\"llm_embedding\":{\"model\":\"n\"}}]}"),
            "other-processor", pipeline("other-processor", "{\"processors\":[{\"set\":{\"field\":\"model\",\"value\":\"m\",\"model\":\"m\"}}]}")));
        Metadata metadata = Metadata.builder().putCustom(IngestMetadata.TYPE, ingest).build();
        assertEquals(List.of("direct", "fallback"), ModelRegistry.pipelinesUsing(metadata, "m").stream().sorted().toList());
        assertEquals(List.of("other-model"), ModelRegistry.pipelinesUsing(metadata, "n"));
        assertEquals(List.of(), ModelRegistry.pipelinesUsing(Metadata.builder().build(), "m"));
    }

    public void testPutVersionsAndDeleteChecksUsers() throws Exception {
        ThreadPool threadPool = new TestThreadPool(getTestName());
        ClusterService clusterService = ClusterServiceUtils.createClusterService(threadPool);
        try {
            ModelRegistry registry = new ModelRegistry(clusterService);
            ModelDefinition asked = ModelDefinition.fromRequest("m", Map.of("path", "tiny"));
            ModelSpec spec = new ModelSpec("llama", "llama", 32, 100, 1, true, Map.of("w", new long[] { 10, 10 }), null);

            ModelRegistry.PutResult first = put(registry, asked, spec);
            assertTrue(first.created());
            assertEquals(1, first.stored().version());
            assertEquals(32, first.stored().dimension());
            assertEquals(100, first.stored().parameters());
            ModelRegistry.PutResult second = put(registry, asked, spec);
            assertFalse(second.created());
            assertEquals(2, second.stored().version());
            assertEquals(second.stored(), registry.definition("m"));

            ClusterState state = clusterService.state();
            IngestMetadata ingest = new IngestMetadata(Map.of("embed", pipeline("embed", "{\"processors\":[{\"llm_embedding\":{\"model\":\"m\"}}]}")));
            ClusterServiceUtils.setState(clusterService, ClusterState.builder(state)
                .metadata(Metadata.builder(state.metadata()).putCustom(IngestMetadata.TYPE, ingest)).build());
            OpenSearchStatusException used = expectThrows(OpenSearchStatusException.class, () -> delete(registry, "m", false));
            assertEquals(RestStatus.CONFLICT, used.status());
            assertEquals("model [m] is used by ingest pipeline(s) [embed]; delete or change them first, or pass ?force=true", used.getMessage());

            delete(registry, "m", true);
            assertTrue(registry.definitions().isEmpty());
            ResourceNotFoundException missing = expectThrows(ResourceNotFoundException.class, () -> delete(registry, "m", false));
            assertEquals("model [m] is not registered", missing.getMessage());
            expectThrows(ResourceNotFoundException.class, () -> registry.definition("m"));
        } finally {
            clusterService.close();
            ThreadPool.terminate(threadPool, 10, TimeUnit.SECONDS);
        }
    }

    private static ModelRegistry.PutResult put(ModelRegistry registry, ModelDefinition asked, ModelSpec spec) {
        PlainActionFuture<ModelRegistry.PutResult> f = new PlainActionFuture<>();
        registry.put(asked, spec, f);
        return f.actionGet(10, TimeUnit.SECONDS);
    }

    private static void delete(ModelRegistry registry, String name, boolean force) {
        PlainActionFuture<Void> f = new PlainActionFuture<>();
        registry.delete(name, force, f);
        f.actionGet(10, TimeUnit.SECONDS);
    }
}
