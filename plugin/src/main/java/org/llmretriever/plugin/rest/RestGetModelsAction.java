package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.action.GetModelsAction;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/** {@code GET /_plugins/_llm_retriever/models[/{name}]}: registered definitions with each node's view of them. */
public final class RestGetModelsAction extends LlmRetrieverRestHandler {
    public RestGetModelsAction() {
        super("llm_retriever_get_models", new Route(RestRequest.Method.GET, BASE + "/models"), new Route(RestRequest.Method.GET, BASE + "/models/{name}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String name = request.param("name");
        return channel -> client.execute(GetModelsAction.INSTANCE, new GetModelsAction.Request(name), new RestToXContentListener<>(channel));
    }
}
