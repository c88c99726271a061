package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.info.PluginInfoAction;
import org.llmretriever.plugin.info.PluginInfoRequest;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

/** {@code GET /_plugins/_llm_retriever}. */
public final class RestPluginInfoAction extends LlmRetrieverRestHandler {
    /** Base path of every endpoint of the plugin. */
    public static final String BASE = "/_plugins/_llm_retriever";

    public RestPluginInfoAction() {
        super("llm_retriever_info", new Route(RestRequest.Method.GET, BASE));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> client.execute(PluginInfoAction.INSTANCE, new PluginInfoRequest(), new RestToXContentListener<>(channel));
    }
}
