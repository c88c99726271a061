package org.llmretriever.plugin.mapping;

import org.opensearch.cluster.metadata.IndexAbstraction;
import org.opensearch.cluster.metadata.IndexMetadata;
import org.opensearch.cluster.metadata.MappingMetadata;
import org.opensearch.cluster.metadata.Metadata;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an index mapping says about a target field: its type, its {@code knn_vector} dimension and whether it
 * lies inside a {@code nested} field. Read from the index's mapping source in {@link IndexMetadata}: the one way
 * both the {@code llm_embedding} processor (before a document is indexed) and the {@code llm_knn} query (on each
 * shard) learn a field's dimension, without k-NN's classes, which are not a published jar.
 *
 * @param known whether the index and field are mapped at all
 * @param type the field's type (e.g. {@code knn_vector}), or null
 * @param dimension the knn_vector dimension, or 0 when the mapping does not give one (e.g. a field built from a trained k-NN model)
 * @param nestedPath the enclosing nested field (e.g. {@code chunks} for {@code chunks.vector}), or null
 */
public record TargetMappings(boolean known, String type, int dimension, String nestedPath) {
    static final TargetMappings UNKNOWN = new TargetMappings(false, null, 0, null);

    /** Parsed mapping sources by index UUID and mapping version: parsing a mapping per document is too slow. */
    private static final Map<String, Map<String, Object>> PARSED = Collections.synchronizedMap(
        new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, Object>> eldest) {
                return size() > 256;
            }
        });

    /** Looks up {@code field} (dotted path) in the mapping of {@code index} (alias or data stream: its write index). */
    public static TargetMappings lookup(Metadata metadata, String index, String field) {
        if (index == null) {
            return UNKNOWN;
        }
        IndexMetadata im = metadata.index(index);
        if (im == null) {
            IndexAbstraction a = metadata.getIndicesLookup().get(index);
            if (a != null && a.getWriteIndex() != null) {
                im = metadata.index(a.getWriteIndex().getIndex());
            }
        }
        return im == null ? UNKNOWN : of(im, field);
    }

    /** Looks up {@code field} (dotted path) in the mapping of one concrete index. */
    @SuppressWarnings("unchecked")
    public static TargetMappings of(IndexMetadata im, String field) {
        MappingMetadata mm = im.mapping();
        if (mm == null) {
            return UNKNOWN;
        }
        String key = im.getIndexUUID() + ":" + im.getMappingVersion();
        Map<String, Object> node = PARSED.get(key);
        if (node == null) {
            node = mm.sourceAsMap();
            PARSED.put(key, node);
        }
        String nested = null;
        String[] parts = field.split("\\.");
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            Object props = node.get("properties");
            if (!(props instanceof Map)) {
                return UNKNOWN;
            }
            Object child = ((Map<String, Object>) props).get(parts[i]);
            if (!(child instanceof Map)) {
                return UNKNOWN;
            }
            node = (Map<String, Object>) child;
            path.append(i == 0 ? "" : ".").append(parts[i]);
            if (i < parts.length - 1 && "nested".equals(node.get("type"))) {
                nested = path.toString();
            }
        }
        Object type = node.get("type");
        int dim = node.get("dimension") instanceof Number n ? n.intValue() : 0;
        return new TargetMappings(true, type == null ? "object" : type.toString(), dim, nested);
    }
}
