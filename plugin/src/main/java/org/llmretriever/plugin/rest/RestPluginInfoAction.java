package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.info.PluginInfoAction;
import org.llmretriever.plugin.info.PluginInfoRequest;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import java.util.List;

/** {@code GET /_plugins/_llm_retriever}. */
public final class RestPluginInfoAction extends BaseRestHandler {
    /** Base path of every endpoint of the plugin. */
    public static final String BASE = "/_plugins/_llm_retriever";

    @Override
    public String getName() {
        return "llm_retriever_info";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(RestRequest.Method.GET, BASE));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> client.execute(PluginInfoAction.INSTANCE, new PluginInfoRequest(), new RestToXContentListener<>(channel));
    }
}
