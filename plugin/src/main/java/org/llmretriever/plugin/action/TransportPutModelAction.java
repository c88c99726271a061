package org.llmretriever.plugin.action;

import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.inference.ModelService;
import org.llmretriever.plugin.registry.ModelRegistry;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.clustermanager.TransportClusterManagerNodeAction;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.block.ClusterBlockException;
import org.opensearch.cluster.block.ClusterBlockLevel;
import org.opensearch.cluster.metadata.IndexNameExpressionResolver;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

import java.io.IOException;

/**
 * Runs on the cluster manager: inspects the checkpoint (config and safetensors headers, on the generic pool since
 * it reads files), then has the {@link ModelRegistry} store the definition.
 */
public final class TransportPutModelAction extends TransportClusterManagerNodeAction<PutModelAction.Request, PutModelAction.Response> {
    private final ModelService models;
    private final ModelRegistry registry;

    @Inject
    public TransportPutModelAction(TransportService transportService, ClusterService clusterService, ThreadPool threadPool,
                                   ActionFilters actionFilters, IndexNameExpressionResolver resolver, ModelService models,
                                   ModelRegistry registry) {
        super(PutModelAction.NAME, transportService, clusterService, threadPool, actionFilters, PutModelAction.Request::new, resolver);
        this.models = models;
        this.registry = registry;
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
        registry.put(asked, spec, ActionListener.wrap(r -> listener.onResponse(new PutModelAction.Response(r.stored(), r.created())),
            listener::onFailure));
    }
}
