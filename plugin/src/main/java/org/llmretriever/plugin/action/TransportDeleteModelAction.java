package org.llmretriever.plugin.action;

import org.llmretriever.plugin.registry.ModelRegistry;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.clustermanager.AcknowledgedResponse;
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

/** Runs on the cluster manager: has the {@link ModelRegistry} remove a definition; nodes unload it once in-flight requests are done. */
public final class TransportDeleteModelAction extends TransportClusterManagerNodeAction<DeleteModelAction.Request, AcknowledgedResponse> {
    private final ModelRegistry registry;

    @Inject
    public TransportDeleteModelAction(TransportService transportService, ClusterService clusterService, ThreadPool threadPool,
                                      ActionFilters actionFilters, IndexNameExpressionResolver resolver, ModelRegistry registry) {
        super(DeleteModelAction.NAME, transportService, clusterService, threadPool, actionFilters, DeleteModelAction.Request::new, resolver);
        this.registry = registry;
    }

    @Override
    protected String executor() {
        return ThreadPool.Names.SAME;
    }

    @Override
    protected AcknowledgedResponse read(StreamInput in) throws IOException {
        return new AcknowledgedResponse(in);
    }

    @Override
    protected ClusterBlockException checkBlock(DeleteModelAction.Request request, ClusterState state) {
        return state.blocks().globalBlockedException(ClusterBlockLevel.METADATA_WRITE);
    }

    @Override
    protected void clusterManagerOperation(DeleteModelAction.Request request, ClusterState state, ActionListener<AcknowledgedResponse> listener) {
        registry.delete(request.name(), request.force(), ActionListener.wrap(v -> listener.onResponse(new AcknowledgedResponse(true)),
            listener::onFailure));
    }
}
