package org.llmretriever.plugin.action;

import org.llmretriever.plugin.inference.ModelService;
import org.llmretriever.plugin.registry.ModelRegistry;
import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.nodes.TransportNodesAction;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.tasks.Task;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.TransportService;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects (and for {@link LoadModelAction}, loads first) model state on every node; runs on the generic pool
 * (loading reads files). Two registrations share this code so that monitoring and loading are separate
 * privileges for the security plugin.
 */
public class TransportNodesModelsAction extends TransportNodesAction<NodesModelsAction.Request, NodesModelsAction.Response,
    NodesModelsAction.NodeRequest, NodesModelsAction.NodeResponse> {
    protected final ModelService models;

    /** Injected: the stats/state registration. */
    @Inject
    public TransportNodesModelsAction(ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                                      ActionFilters actionFilters, ModelService models) {
        this(NodesModelsAction.NAME, threadPool, clusterService, transportService, actionFilters, models);
    }

    protected TransportNodesModelsAction(String name, ThreadPool threadPool, ClusterService clusterService, TransportService transportService,
                                         ActionFilters actionFilters, ModelService models) {
        super(name, threadPool, clusterService, transportService, actionFilters, NodesModelsAction.Request::new,
            NodesModelsAction.NodeRequest::new, ThreadPool.Names.GENERIC, NodesModelsAction.NodeResponse.class);
        this.models = models;
    }

    /** The {@code _load} registration. */
    public static final class Load extends TransportNodesModelsAction {
        private final InferenceNodes inferenceNodes;
        private final ModelRegistry registry;

        @Inject
        public Load(ThreadPool threadPool, ClusterService clusterService, TransportService transportService, ActionFilters actionFilters,
                    ModelService models, ModelRegistry registry) {
            super(LoadModelAction.NAME, threadPool, clusterService, transportService, actionFilters, models);
            this.inferenceNodes = new InferenceNodes(clusterService);
            this.registry = registry;
        }

        /** An unregistered model is a 404 here, not a failure of every node. */
        @Override
        protected void doExecute(Task task, NodesModelsAction.Request request, ActionListener<NodesModelsAction.Response> listener) {
            try {
                registry.definition(request.model());
            } catch (RuntimeException e) {
                listener.onFailure(e);
                return;
            }
            super.doExecute(task, request, listener);
        }

        /** With inference nodes selected, only they load: the others send their work there. */
        @Override
        protected void resolveRequest(NodesModelsAction.Request request, ClusterState clusterState) {
            if (inferenceNodes.routed()) {
                request.setConcreteNodes(inferenceNodes.select(clusterState).toArray(DiscoveryNode[]::new));
            } else {
                super.resolveRequest(request, clusterState);
            }
        }
    }

    @Override
    protected NodesModelsAction.Response newResponse(NodesModelsAction.Request request, List<NodesModelsAction.NodeResponse> responses,
                                                     List<FailedNodeException> failures) {
        return new NodesModelsAction.Response(clusterService.getClusterName(), responses, failures);
    }

    @Override
    protected NodesModelsAction.NodeRequest newNodeRequest(NodesModelsAction.Request request) {
        return new NodesModelsAction.NodeRequest(request);
    }

    @Override
    protected NodesModelsAction.NodeResponse newNodeResponse(StreamInput in) throws IOException {
        return new NodesModelsAction.NodeResponse(in);
    }

    @Override
    protected NodesModelsAction.NodeResponse nodeOperation(NodesModelsAction.NodeRequest request) {
        Map<String, Object> perModel = new LinkedHashMap<>();
        if (request.model() != null) {
            perModel.put(request.model(), request.load() ? models.loadNow(request.model()) : models.modelState(request.model()));
        } else {
            for (String name : models.knownModels()) {
                perModel.put(name, models.modelState(name));
            }
        }
        return new NodesModelsAction.NodeResponse(clusterService.localNode(), models.nodeState(), perModel);
    }
}
