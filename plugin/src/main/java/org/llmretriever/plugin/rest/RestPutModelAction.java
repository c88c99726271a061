package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.action.PutModelAction;
import org.llmretriever.plugin.model.ModelDefinition;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import java.io.IOException;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/**
 * {@code PUT /_plugins/_llm_retriever/models/{name}}: registers (or re-registers) a model. The body is checked
 * here for shape; the cluster manager checks the checkpoint. 201 when the name is new, 200 when it replaces one.
 */
public final class RestPutModelAction extends LlmRetrieverRestHandler {
    public RestPutModelAction() {
        super("llm_retriever_put_model", new Route(RestRequest.Method.PUT, BASE + "/models/{name}"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        ModelDefinition def = ModelDefinition.fromRequest(request.param("name"), RequestBodies.map(request));
        return channel -> client.execute(PutModelAction.INSTANCE, new PutModelAction.Request(def),
            new RestToXContentListener<>(channel) {
                @Override
                protected RestStatus getStatus(PutModelAction.Response r) {
                    return r.created() ? RestStatus.CREATED : RestStatus.OK;
                }
            });
    }
}
