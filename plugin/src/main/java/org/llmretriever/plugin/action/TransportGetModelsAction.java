package org.llmretriever.plugin.action;

import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.registry.ModelRegistry;
import org.opensearch.ResourceNotFoundException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;
import org.opensearch.transport.client.node.NodeClient;

import java.util.LinkedHashMap;
import java.util.Map;

/** Joins the registry (cluster state) with per-node state from {@link NodesModelsAction}. */
public final class TransportGetModelsAction extends HandledTransportAction<GetModelsAction.Request, GetModelsAction.Response> {
    private final ModelRegistry registry;
    private final NodeClient client;

    @Inject
    public TransportGetModelsAction(TransportService transportService, ActionFilters actionFilters, ModelRegistry registry, NodeClient client) {
        super(GetModelsAction.NAME, transportService, actionFilters, GetModelsAction.Request::new);
        this.registry = registry;
        this.client = client;
    }

    @Override
    protected void doExecute(Task task, GetModelsAction.Request request, ActionListener<GetModelsAction.Response> listener) {
        Map<String, ModelDefinition> defs = registry.definitions();
        if (request.name() != null && !defs.containsKey(request.name())) {
            listener.onFailure(new ResourceNotFoundException("model [" + request.name() + "] is not registered"));
            return;
        }
        client.execute(NodesModelsAction.INSTANCE, new NodesModelsAction.Request(request.name(), false), ActionListener.wrap(nodes -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (ModelDefinition d : defs.values()) {
                if (request.name() != null && !request.name().equals(d.name())) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>(d.asMap());
                Map<String, Object> perNode = new LinkedHashMap<>();
                for (NodesModelsAction.NodeResponse n : nodes.getNodes()) {
                    Object state = n.models().get(d.name());
                    if (state instanceof Map<?, ?> s) {
                        Map<String, Object> copy = new LinkedHashMap<>();
                        s.forEach((k, v) -> {
                            if (!"stats".equals(k)) {
                                copy.put((String) k, v);
                            }
                        });
                        perNode.put(n.getNode().getName(), copy);
                    }
                }
                m.put("nodes", perNode);
                out.put(d.name(), m);
            }
            listener.onResponse(new GetModelsAction.Response(out));
        }, listener::onFailure));
    }
}
