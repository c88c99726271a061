package org.llmretriever.plugin.registry;

import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.model.ModelsMetadata;
import org.llmretriever.plugin.processor.LlmEmbeddingProcessor;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.ClusterStateUpdateTask;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.ingest.IngestMetadata;
import org.opensearch.ingest.PipelineConfiguration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one place that reads and changes model definitions in cluster state ({@link ModelsMetadata}). Changes go
 * through a cluster-state update task on the cluster manager, so concurrent PUTs and DELETEs of the same name
 * are applied one after the other and a version number is never handed out twice. It also answers which ingest
 * pipelines use a model, because a DELETE must see that in the same state it changes.
 */
public final class ModelRegistry {
    private final ClusterService clusterService;

    public ModelRegistry(ClusterService clusterService) {
        this.clusterService = clusterService;
    }

    /** What a PUT stored, and whether the name was new. */
    public record PutResult(ModelDefinition stored, boolean created) {}

    /** Registered definitions by name, as this node currently sees them. */
    public Map<String, ModelDefinition> definitions() {
        return ModelsMetadata.of(clusterService.state().metadata()).models();
    }

    /** The registered definition of a model, or a 404 naming it and how to register it. */
    public ModelDefinition definition(String name) {
        ModelDefinition d = definitions().get(name);
        if (d == null) {
            throw new ResourceNotFoundException("model [" + name + "] is not registered (register it with PUT /_plugins/_llm_retriever/models/" + name + ")");
        }
        return d;
    }

    /**
     * Stores {@code asked}, completed with what inspecting its checkpoint found, as the next version of its name
     * (1 for a new name). Must run on the cluster manager.
     */
    public void put(ModelDefinition asked, ModelSpec spec, ActionListener<PutResult> listener) {
        PutResult[] result = new PutResult[1];
        update("put-llm-model [" + asked.name() + "]", (metadata, all) -> {
            ModelDefinition prev = all.get(asked.name());
            ModelDefinition stored = asked.withDerived(spec.hiddenSize(), spec.family(), spec.modelType(), spec.parameterCount(),
                prev == null ? 1 : prev.version() + 1, System.currentTimeMillis());
            all.put(asked.name(), stored);
            result[0] = new PutResult(stored, prev == null);
        }, ActionListener.wrap(v -> listener.onResponse(result[0]), listener::onFailure));
    }

    /**
     * Removes a definition: 404 if it is not registered, 409 while an ingest pipeline uses it unless {@code force}.
     * Must run on the cluster manager.
     */
    public void delete(String name, boolean force, ActionListener<Void> listener) {
        update("delete-llm-model [" + name + "]", (metadata, all) -> {
            if (!all.containsKey(name)) {
                throw new ResourceNotFoundException("model [" + name + "] is not registered");
            }
            List<String> users = pipelinesUsing(metadata, name);
            if (!users.isEmpty() && !force) {
                throw new OpenSearchStatusException("model [" + name + "] is used by ingest pipeline(s) " + users
                    + "; delete or change them first, or pass ?force=true", RestStatus.CONFLICT);
            }
            all.remove(name);
        }, listener);
    }

    /** A change to the definitions, given the metadata they are read from; throwing rejects the change. */
    private interface Change {
        void apply(Metadata current, Map<String, ModelDefinition> definitions);
    }

    /** Applies a change to a mutable copy of the definitions in one cluster-state update task. */
    private void update(String source, Change change, ActionListener<Void> listener) {
        clusterService.submitStateUpdateTask(source, new ClusterStateUpdateTask() {
            @Override
            public ClusterState execute(ClusterState state) {
                Map<String, ModelDefinition> all = new TreeMap<>(ModelsMetadata.of(state.metadata()).models());
                change.apply(state.metadata(), all);
                return ClusterState.builder(state)
                    .metadata(Metadata.builder(state.metadata()).putCustom(ModelsMetadata.TYPE, new ModelsMetadata(all)))
                    .build();
            }

            @Override
            public void onFailure(String source, Exception e) {
                listener.onFailure(e);
            }

            @Override
            public void clusterStateProcessed(String source, ClusterState oldState, ClusterState newState) {
                listener.onResponse(null);
            }
        });
    }

    /** Ids of ingest pipelines with an {@code llm_embedding} processor (also inside {@code on_failure}) naming the model. */
    public static List<String> pipelinesUsing(Metadata metadata, String model) {
        List<String> out = new ArrayList<>();
        IngestMetadata ingest = metadata.custom(IngestMetadata.TYPE);
        if (ingest == null) {
            return out;
        }
        for (PipelineConfiguration p : ingest.getPipelines().values()) {
            if (uses(p.getConfigAsMap().get("processors"), model)) {
                out.add(p.getId());
            }
        }
        return out;
    }

    /** Whether a pipeline's list of processors ({@code [{"<type>": {config}}, ...]}) has one using the model. */
    private static boolean uses(Object processors, String model) {
        if (processors instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        if (model.equals(LlmEmbeddingProcessor.modelOf(e.getKey(), e.getValue()))) {
                            return true;
                        }
                        if (e.getValue() instanceof Map<?, ?> cfg && uses(cfg.get("on_failure"), model)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }
}
