package org.llmretriever.plugin.info;

import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.core.common.io.stream.StreamInput;

import java.io.IOException;

/** Request of {@link PluginInfoAction}: no parameters. */
public final class PluginInfoRequest extends ActionRequest {
    public PluginInfoRequest() {}

    public PluginInfoRequest(StreamInput in) throws IOException {
        super(in);
    }

    @Override
    public ActionRequestValidationException validate() {
        return null;
    }
}
