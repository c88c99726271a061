package org.llmretriever.plugin.info;

import org.opensearch.action.ActionType;

/** {@code GET /_plugins/_llm_retriever}: plugin version and the native runtime of the coordinating node. */
public final class PluginInfoAction extends ActionType<PluginInfoResponse> {
    /** Transport action name, grantable by the security plugin. */
    public static final String NAME = "cluster:monitor/llm_retriever/info";
    public static final PluginInfoAction INSTANCE = new PluginInfoAction();

    private PluginInfoAction() {
        super(NAME, PluginInfoResponse::new);
    }
}
