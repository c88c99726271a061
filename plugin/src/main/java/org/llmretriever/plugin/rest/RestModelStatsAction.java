package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.action.NodesModelsAction;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/** {@code GET /_plugins/_llm_retriever/stats}: every node's inference pool, memory budget and per-model statistics. */
public final class RestModelStatsAction extends LlmRetrieverRestHandler {
    public RestModelStatsAction() {
        super("llm_retriever_stats", new Route(RestRequest.Method.GET, BASE + "/stats"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> client.execute(NodesModelsAction.INSTANCE, new NodesModelsAction.Request(null, false), new RestToXContentListener<>(channel));
    }
}
