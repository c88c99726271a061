package org.llmretriever.plugin.rest;

import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.plugin.action.EmbedAction;
import org.opensearch.rest.RestRequest;
import org.opensearch.rest.action.RestToXContentListener;
import org.opensearch.transport.client.node.NodeClient;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.llmretriever.plugin.rest.RestPluginInfoAction.BASE;

/**
 * {@code POST /_plugins/_llm_retriever/models/{name}/_embed}: embeds {@code texts} with a registered model.
 * Unknown fields and wrongly typed values are rejected here, before any node is asked.
 */
public final class RestEmbedAction extends LlmRetrieverRestHandler {
    private static final Set<String> EMBED_FIELDS = Set.of("texts", "kind", "on_truncation");

    public RestEmbedAction() {
        super("llm_retriever_embed", new Route(RestRequest.Method.POST, BASE + "/models/{name}/_embed"));
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        EmbedAction.Request embed = parseEmbed(request.param("name"), RequestBodies.map(request));
        return channel -> client.execute(EmbedAction.INSTANCE, embed, new RestToXContentListener<>(channel));
    }

    static EmbedAction.Request parseEmbed(String model, Map<String, Object> body) {
        for (String k : body.keySet()) {
            if (!EMBED_FIELDS.contains(k)) {
                throw new IllegalArgumentException("unknown field [" + k + "] in _embed request; known fields: " + EMBED_FIELDS.stream().sorted().toList());
            }
        }
        Object texts = body.get("texts");
        if (!(texts instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException("[texts] must be a non-empty list of strings");
        }
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String s)) {
                throw new IllegalArgumentException("[texts][" + i + "] must be a string, got " + (list.get(i) == null ? "null" : list.get(i).getClass().getSimpleName()));
            }
            out.add(s);
        }
        Object kind = body.getOrDefault("kind", "passage");
        Object trunc = body.getOrDefault("on_truncation", "truncate");
        if (!(kind instanceof String k) || !(trunc instanceof String t)) {
            throw new IllegalArgumentException("[kind] and [on_truncation] must be strings");
        }
        return new EmbedAction.Request(model, out, Kind.parse(k), EncoderOptions.Truncation.parse(t), false);
    }
}
