package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.action.LoadModelAction;
import org.llmretriever.plugin.action.NodesModelsAction;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/**
 * {@code POST /_plugins/_llm_retriever/models/{name}/_load}: loads a model now on every node that runs models
 * (instead of on first use) and answers with each node's state after the attempt.
 */
public final class RestLoadModelAction extends LlmRetrieverRestHandler {
    public RestLoadModelAction() {
        super("llm_retriever_load_model", new Route(RestRequest.Method.POST, BASE + "/models/{name}/_load"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        NodesModelsAction.Request load = new NodesModelsAction.Request(request.param("name"), true);
        return channel -> client.execute(LoadModelAction.INSTANCE, load, new RestToXContentListener<>(channel));
    }
}
