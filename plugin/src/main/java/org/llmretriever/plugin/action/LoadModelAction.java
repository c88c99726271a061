package org.llmretriever.plugin.action;

import org.opensearch.action.ActionType;

/** {@code POST models/{name}/_load}: loads the model on every node now (retrying a failed load) and reports per-node state. */
public final class LoadModelAction extends ActionType<NodesModelsAction.Response> {
    public static final String NAME = "cluster:admin/llm_retriever/model/load";
    public static final LoadModelAction INSTANCE = new LoadModelAction();

    private LoadModelAction() {
        super(NAME, NodesModelsAction.Response::new);
    }
}
