package org.llmretriever.plugin.model;

import org.opensearch.Version;
import org.opensearch.cluster.AbstractNamedDiffable;
import org.opensearch.cluster.NamedDiff;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;

import java.io.IOException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model registry in cluster state: every node sees the same definitions, and they are persisted with the
 * cluster metadata (so they survive a full restart) and included in snapshots.
 */
public final class ModelsMetadata extends AbstractNamedDiffable<Metadata.Custom> implements Metadata.Custom {
    /** Name of this custom metadata section. */
    public static final String TYPE = "llm_retriever_models";
    /** No models. */
    public static final ModelsMetadata EMPTY = new ModelsMetadata(Map.of());

    private final Map<String, ModelDefinition> models;

    /** From definitions by name. */
    public ModelsMetadata(Map<String, ModelDefinition> models) {
        this.models = Collections.unmodifiableMap(new TreeMap<>(models));
    }

    public ModelsMetadata(StreamInput in) throws IOException {
        this(in.readMap(StreamInput::readString, ModelDefinition::new));
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeMap(models, StreamOutput::writeString, (o, d) -> d.writeTo(o));
    }

    /** Reads a diff (whole-value replacement; the registry is small). */
    public static NamedDiff<Metadata.Custom> readDiffFrom(StreamInput in) throws IOException {
        return readDiffFrom(Metadata.Custom.class, TYPE, in);
    }

    /** The registry of a cluster state's metadata (empty if none). */
    public static ModelsMetadata of(Metadata metadata) {
        ModelsMetadata m = metadata.custom(TYPE);
        return m == null ? EMPTY : m;
    }

    /** Definitions by name. */
    public Map<String, ModelDefinition> models() {
        return models;
    }

    @Override
    public String getWriteableName() {
        return TYPE;
    }

    @Override
    public Version getMinimalSupportedVersion() {
        return Version.V_3_0_0;
    }

    @Override
    public EnumSet<Metadata.XContentContext> context() {
        return Metadata.ALL_CONTEXTS;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject("models");
        for (ModelDefinition d : models.values()) {
            builder.field(d.name());
            d.toXContent(builder, params);
        }
        return builder.endObject();
    }

    /** Parses what {@link #toXContent} wrote (the body of this metadata section). */
    @SuppressWarnings("unchecked")
    public static ModelsMetadata fromXContent(XContentParser parser) throws IOException {
        Map<String, Object> body = parser.map();
        Map<String, ModelDefinition> models = new TreeMap<>();
        Object m = body.get("models");
        if (m instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                models.put((String) e.getKey(), ModelDefinition.fromMap((Map<String, Object>) e.getValue()));
            }
        }
        return new ModelsMetadata(models);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelsMetadata other && other.models.equals(models);
    }

    @Override
    public int hashCode() {
        return models.hashCode();
    }
}
