package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.action.LoadModelAction;
import org.llmretriever.plugin.action.NodesModelsAction;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import java.util.List;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/**
 * {@code POST /_plugins/_llm_retriever/models/{name}/_load}: loads a model now on every node that runs models
 * (instead of on first use) and answers with each node's state after the attempt.
 */
public final class RestLoadModelAction extends BaseRestHandler {
    @Override
    public String getName() {
        return "llm_retriever_load_model";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.POST, BASE + "/models/{name}/_load"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String name = request.param("name");
        return channel -> client.execute(LoadModelAction.INSTANCE, new NodesModelsAction.Request(name, true),
            new RestToXContentListener<>(channel));
    }
}
