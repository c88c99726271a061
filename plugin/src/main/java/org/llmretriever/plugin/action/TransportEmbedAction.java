package org.llmretriever.plugin.action;

import org.llmretriever.plugin.inference.ModelService;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.ExceptionsHelper;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.action.ActionListenerResponseHandler;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.ChannelActionListener;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.node.NodeClosedException;
import org.opensearch.tasks.Task;
import org.opensearch.threadpool.ThreadPool;
import org.opensearch.transport.RemoteTransportException;
import org.opensearch.transport.TransportException;
import org.opensearch.transport.TransportRequestOptions;
import org.opensearch.transport.TransportService;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Embeds on this node's inference pool — or, when {@code plugins.llm_retriever.inference_nodes} selects other
 * nodes, sends the request to one of them over the transport layer (round-robin), retrying on another selected
 * node if one is unreachable or shutting down.
 */
public final class TransportEmbedAction extends HandledTransportAction<EmbedAction.Request, EmbedAction.Response> {
    /** Per-node transport action that runs the embedding where it was sent. */
    public static final String NODE_ACTION = EmbedAction.NAME + "[n]";

    private final ModelService models;
    private final TransportService transportService;
    private final ClusterService clusterService;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final InferenceNodes inferenceNodes;
    private volatile int maxTexts;

    @Inject
    public TransportEmbedAction(TransportService transportService, ActionFilters actionFilters, ModelService models, ClusterService clusterService) {
        super(EmbedAction.NAME, transportService, actionFilters, EmbedAction.Request::new);
        this.models = models;
        this.transportService = transportService;
        this.clusterService = clusterService;
        this.maxTexts = LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST.get(clusterService.getSettings());
        this.inferenceNodes = new InferenceNodes(clusterService);
        clusterService.getClusterSettings().addSettingsUpdateConsumer(LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST, v -> maxTexts = v);
        transportService.registerRequestHandler(NODE_ACTION, ThreadPool.Names.SAME, EmbedAction.Request::new,
            (request, channel, task) -> embedLocally(request, new ChannelActionListener<>(channel, NODE_ACTION, request)));
    }

    @Override
    protected void doExecute(Task task, EmbedAction.Request request, ActionListener<EmbedAction.Response> listener) {
        if (request.texts().size() > maxTexts) {
            listener.onFailure(new OpenSearchStatusException("[texts] has " + request.texts().size() + " entries, more than "
                + LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST.getKey() + "=" + maxTexts, RestStatus.BAD_REQUEST));
            return;
        }
        String sel = inferenceNodes.selector();
        if (!inferenceNodes.routed()) {
            embedLocally(request, listener);
            return;
        }
        ClusterState state = clusterService.state();
        List<DiscoveryNode> candidates = InferenceNodes.select(state, sel);
        if (candidates.contains(state.nodes().getLocalNode())) {
            embedLocally(request, listener);
            return;
        }
        route(request, candidates, new HashSet<>(), listener, sel);
    }

    private void route(EmbedAction.Request request, List<DiscoveryNode> candidates, Set<String> tried,
                       ActionListener<EmbedAction.Response> listener, String sel) {
        List<DiscoveryNode> left = candidates.stream().filter(n -> !tried.contains(n.getId())).toList();
        if (left.isEmpty()) {
            listener.onFailure(new OpenSearchStatusException("no inference node is available for model [" + request.model() + "] ("
                + LlmRetrieverSettings.INFERENCE_NODES.getKey() + "=" + sel + ", tried " + tried.size() + " node(s))", RestStatus.SERVICE_UNAVAILABLE));
            return;
        }
        DiscoveryNode target = left.get(Math.floorMod(roundRobin.getAndIncrement(), left.size()));
        tried.add(target.getId());
        models.recordRouted(request.model(), target.getName());
        transportService.sendRequest(target, NODE_ACTION, request, TransportRequestOptions.EMPTY,
            new ActionListenerResponseHandler<>(ActionListener.wrap(listener::onResponse, e -> {
                if (isNodeFailure(e)) {
                    route(request, candidates, tried, listener, sel); // try another inference node
                } else {
                    listener.onFailure(e);
                }
            }), EmbedAction.Response::new));
    }

    /** The node could not be reached or shut down (retry elsewhere), as opposed to an error of the request itself. */
    static boolean isNodeFailure(Exception e) {
        Throwable cause = ExceptionsHelper.unwrapCause(e);
        if (e instanceof RemoteTransportException) {
            return cause instanceof NodeClosedException; // it answered: only a shutting-down node is a node failure
        }
        return cause instanceof TransportException || cause instanceof NodeClosedException; // disconnect, timeout
    }

    private void embedLocally(EmbedAction.Request request, ActionListener<EmbedAction.Response> listener) {
        models.embed(request.model(), request.texts(), request.kind(), request.truncation(), request.useCache(),
            ActionListener.wrap(r -> listener.onResponse(new EmbedAction.Response(request.model(), r)), listener::onFailure));
    }
}
