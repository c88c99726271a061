package org.llmretriever.plugin.action;

import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.model.ModelService;
import org.llmretriever.plugin.model.ModelsMetadata;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.clustermanager.TransportClusterManagerNodeAction;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.ClusterStateUpdateTask;
import org.opensearch.cluster.block.ClusterBlockException;
import org.opensearch.cluster.block.ClusterBlockLevel;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.metadata.Metadata;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Runs on the cluster manager: validates from config + headers (generic thread, file I/O), then updates cluster state. */
public final class TransportPutModelAction extends TransportClusterManagerNodeAction<PutModelAction.Request, PutModelAction.Response> {
    private final ModelService models;

    /** Injected. */
    @Inject
    public TransportPutModelAction(TransportService transportService, ClusterService clusterService, ThreadPool threadPool,
                                   ActionFilters actionFilters, IndexNameExpressionResolver resolver, ModelService models) {
        super(PutModelAction.NAME, transportService, clusterService, threadPool, actionFilters, PutModelAction.Request::new, resolver);
        this.models = models;
    }

    @Override
    protected String executor() {
        return ThreadPool.Names.GENERIC;
    }

    @Override
    protected PutModelAction.Response read(StreamInput in) throws IOException {
        return new PutModelAction.Response(in);
    }

    @Override
    protected ClusterBlockException checkBlock(PutModelAction.Request request, ClusterState state) {
        return state.blocks().globalBlockedException(ClusterBlockLevel.METADATA_WRITE);
    }

    @Override
    protected void clusterManagerOperation(PutModelAction.Request request, ClusterState state, ActionListener<PutModelAction.Response> listener) {
        ModelDefinition asked = request.definition();
        ModelSpec spec;
        try {
            spec = models.inspect(asked);
        } catch (RuntimeException e) {
            listener.onFailure(Errors.badRequest("model [" + asked.name() + "] cannot be registered", e));
            return;
        }
        clusterService.submitStateUpdateTask("put-llm-model [" + asked.name() + "]", new ClusterStateUpdateTask() {
            private ModelDefinition stored;
            private boolean created;

            @Override
            public ClusterState execute(ClusterState current) {
                Map<String, ModelDefinition> all = new TreeMap<>(ModelsMetadata.of(current.metadata()).models());
                ModelDefinition prev = all.get(asked.name());
                created = prev == null;
                stored = asked.withDerived(spec.hiddenSize(), spec.family(), spec.modelType(), spec.parameterCount(),
                    prev == null ? 1 : prev.version() + 1, System.currentTimeMillis());
                all.put(asked.name(), stored);
                return ClusterState.builder(current)
                    .metadata(Metadata.builder(current.metadata()).putCustom(ModelsMetadata.TYPE, new ModelsMetadata(all)))
                    .build();
            }

            @Override
            public void onFailure(String source, Exception e) {
                listener.onFailure(e);
            }

            @Override
            public void clusterStateProcessed(String source, ClusterState oldState, ClusterState newState) {
                listener.onResponse(new PutModelAction.Response(stored, created));
            }
        });
    }
}
