package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.action.DeleteModelAction;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/**
 * {@code DELETE /_plugins/_llm_retriever/models/{name}[?force=true]}: unregisters a model. Refused (409) while an
 * ingest pipeline uses it unless {@code force}; nodes unload it once their in-flight requests are done.
 */
public final class RestDeleteModelAction extends LlmRetrieverRestHandler {
    public RestDeleteModelAction() {
        super("llm_retriever_delete_model", new Route(RestRequest.Method.DELETE, BASE + "/models/{name}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        String name = request.param("name");
        boolean force = request.paramAsBoolean("force", false);
        return channel -> client.execute(DeleteModelAction.INSTANCE, new DeleteModelAction.Request(name, force),
            new RestToXContentListener<>(channel));
    }
}
