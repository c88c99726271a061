package org.llmretriever.plugin.mapping;

import org.opensearch.Version;
import org.opensearch.cluster.metadata.IndexMetadata;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.common.settings.Settings;
import org.opensearch.test.OpenSearchTestCase;

import java.io.IOException;

/** Type, dimension and nested path of a target field, read from the mapping source (by index name or alias). */
public class TargetMappingsTests extends OpenSearchTestCase {
    public void testReadsTypeDimensionAndNestedPath() throws IOException {
        IndexMetadata im = IndexMetadata.builder("docs")
            .settings(Settings.builder().put(IndexMetadata.SETTING_VERSION_CREATED, Version.CURRENT))
            .numberOfShards(1).numberOfReplicas(0)
            .putMapping("{\"properties\":{\"vector\":{\"type\":\"knn_vector\",\"dimension\":8},"
                + "\"title\":{\"type\":\"text\"},"
                + "\"chunks\":{\"type\":\"nested\",\"properties\":{\"vector\":{\"type\":\"knn_vector\",\"dimension\":16}}}}}")
            .putAlias(org.opensearch.cluster.metadata.AliasMetadata.builder("docs-alias").writeIndex(true).build())
            .build();
        assertEquals(new TargetMappings(true, "knn_vector", 8, null), TargetMappings.of(im, "vector"));
        assertEquals(new TargetMappings(true, "text", 0, null), TargetMappings.of(im, "title"));
        assertEquals(new TargetMappings(true, "knn_vector", 16, "chunks"), TargetMappings.of(im, "chunks.vector"));
        assertEquals(TargetMappings.UNKNOWN, TargetMappings.of(im, "missing"));
        Metadata metadata = Metadata.builder().put(im, false).build();
        assertEquals(new TargetMappings(true, "knn_vector", 8, null), TargetMappings.lookup(metadata, "docs-alias", "vector"));
        assertEquals(TargetMappings.UNKNOWN, TargetMappings.lookup(metadata, "other", "vector"));
    }
}
