package org.llmretriever.plugin.rest;

import org.llmretriever.encoder.embed.Preset;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.rest.BytesRestResponse;
import org.opensearch.rest.RestRequest;
import org.opensearch.transport.client.node.NodeClient;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/**
 * {@code GET /_plugins/_llm_retriever/presets}: every {@link Preset} with its models, the settings it gives a model
 * definition, its source and notes. Static data compiled into the plugin, so it is answered by the receiving node
 * without a transport action.
 */
public final class RestPresetsAction extends LlmRetrieverRestHandler {
    public RestPresetsAction() {
        super("llm_retriever_presets", new Route(RestRequest.Method.GET, BASE + "/presets"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> {
            XContentBuilder b = channel.newBuilder();
            b.startObject().startObject("presets");
            for (Preset p : Preset.ALL) {
                b.field(p.name(), p.describe());
            }
            b.endObject().endObject();
            channel.sendResponse(new BytesRestResponse(RestStatus.OK, b));
        };
    }
}
