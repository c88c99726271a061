package org.llmretriever.plugin.action;

import org.opensearch.OpenSearchException;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.core.rest.RestStatus;

/** Maps failures of user input to 4xx with the original reason kept. */
final class Errors {
    private Errors() {}

    /** A 400 for bad user input (unless the cause already carries a status, e.g. 404 or 429). */
    static Exception badRequest(String context, RuntimeException cause) {
        if (cause instanceof OpenSearchException) {
            return cause;
        }
        return new OpenSearchStatusException(context + ": " + cause.getMessage(), RestStatus.BAD_REQUEST);
    }
}
