package org.llmretriever.plugin.registry;

import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.core.common.bytes.BytesArray;
import org.opensearch.ingest.IngestMetadata;
import org.opensearch.ingest.PipelineConfiguration;
import org.opensearch.test.OpenSearchTestCase;

import java.util.List;
import java.util.Map;

/** Which pipelines use a model: llm_embedding processors naming it, also inside on_failure, and no others. */
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
}
