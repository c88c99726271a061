package org.llmretriever.plugin.action;

import org.llmretriever.plugin.model.ModelService;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.action.support.ActionFilters;
import org.opensearch.action.support.HandledTransportAction;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.inject.Inject;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.tasks.Task;
import org.opensearch.transport.TransportService;

/** Embeds on this node's inference pool (never on the calling network thread). */
public final class TransportEmbedAction extends HandledTransportAction<EmbedAction.Request, EmbedAction.Response> {
    private final ModelService models;
    private volatile int maxTexts;

    /** Injected. */
    @Inject
    public TransportEmbedAction(TransportService transportService, ActionFilters actionFilters, ModelService models, ClusterService clusterService) {
        super(EmbedAction.NAME, transportService, actionFilters, EmbedAction.Request::new);
        this.models = models;
        this.maxTexts = LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST.get(clusterService.getSettings());
        clusterService.getClusterSettings().addSettingsUpdateConsumer(LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST, v -> maxTexts = v);
    }

    @Override
    protected void doExecute(Task task, EmbedAction.Request request, ActionListener<EmbedAction.Response> listener) {
        if (request.texts().size() > maxTexts) {
            listener.onFailure(new OpenSearchStatusException("[texts] has " + request.texts().size() + " entries, more than "
                + LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST.getKey() + "=" + maxTexts, RestStatus.BAD_REQUEST));
            return;
        }
        models.embed(request.model(), request.texts(), request.kind(), request.truncation(), request.useCache(),
            ActionListener.wrap(r -> listener.onResponse(new EmbedAction.Response(request.model(), r)), listener::onFailure));
    }
}
