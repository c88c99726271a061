package org.llmretriever.plugin.rest;

import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.plugin.action.DeleteModelAction;
import org.llmretriever.plugin.action.EmbedAction;
import org.llmretriever.plugin.action.GetModelsAction;
import org.llmretriever.plugin.action.LoadModelAction;
import org.llmretriever.plugin.action.NodesModelsAction;
import org.llmretriever.plugin.action.PutModelAction;
import org.llmretriever.plugin.model.ModelDefinition;
import org.opensearch.OpenSearchParseException;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.rest.BaseRestHandler;
import org.opensearch.rest.BytesRestResponse;
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
 * The model API under {@code /_plugins/_llm_retriever}: {@code PUT|GET|DELETE models/{name}}, {@code GET models},
 * {@code POST models/{name}/_load}, {@code POST models/{name}/_embed} and {@code GET stats}. Each route parses and
 * checks its input, then calls a transport action.
 */
public final class RestModelsAction extends BaseRestHandler {
    private static final Set<String> EMBED_FIELDS = Set.of("texts", "kind", "on_truncation");

    @Override
    public String getName() {
        return "llm_retriever_models";
    }

    @Override
    public List<Route> routes() {
        return List.of(
            new Route(RestRequest.Method.PUT, BASE + "/models/{name}"),
            new Route(RestRequest.Method.GET, BASE + "/models"),
            new Route(RestRequest.Method.GET, BASE + "/models/{name}"),
            new Route(RestRequest.Method.DELETE, BASE + "/models/{name}"),
            new Route(RestRequest.Method.POST, BASE + "/models/{name}/_load"),
            new Route(RestRequest.Method.POST, BASE + "/models/{name}/_embed"),
            new Route(RestRequest.Method.GET, BASE + "/stats"));
    }

    @Override
    protected Set<String> responseParams() {
        return Set.of("force");
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
        String path = request.path();
        String name = request.param("name");
        if (path.endsWith("/stats")) {
            return channel -> client.execute(NodesModelsAction.INSTANCE, new NodesModelsAction.Request(null, false), new RestToXContentListener<>(channel));
        }
        switch (request.method()) {
            case PUT -> {
                Map<String, Object> body = bodyMap(request);
                ModelDefinition def = ModelDefinition.fromRequest(name, body);
                return channel -> client.execute(PutModelAction.INSTANCE, new PutModelAction.Request(def),
                    new RestToXContentListener<>(channel) {
                        @Override
                        protected RestStatus getStatus(PutModelAction.Response r) {
                            return r.created() ? RestStatus.CREATED : RestStatus.OK;
                        }
                    });
            }
            case DELETE -> {
                boolean force = request.paramAsBoolean("force", false);
                return channel -> client.execute(DeleteModelAction.INSTANCE, new DeleteModelAction.Request(name, force),
                    new RestToXContentListener<>(channel));
            }
            case GET -> {
                return channel -> client.execute(GetModelsAction.INSTANCE, new GetModelsAction.Request(name), new RestToXContentListener<>(channel));
            }
            case POST -> {
                if (path.endsWith("/_load")) {
                    return channel -> client.execute(LoadModelAction.INSTANCE, new NodesModelsAction.Request(name, true),
                        new RestToXContentListener<>(channel));
                }
                EmbedAction.Request embed = parseEmbed(name, bodyMap(request));
                return channel -> client.execute(EmbedAction.INSTANCE, embed, new RestToXContentListener<>(channel));
            }
            default -> {
                return channel -> channel.sendResponse(new BytesRestResponse(RestStatus.METHOD_NOT_ALLOWED, "unsupported method"));
            }
        }
    }

    private static Map<String, Object> bodyMap(RestRequest request) throws IOException {
        if (!request.hasContentOrSourceParam()) {
            throw new IllegalArgumentException("request body is required");
        }
        try (XContentParser parser = request.contentOrSourceParamParser()) {
            return parser.map();
        } catch (IOException | RuntimeException e) {
            // malformed, too deeply nested or too large: the body's fault, never a server error
            throw new OpenSearchParseException("request body is not a valid JSON object: " + e.getMessage(), e);
        }
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
