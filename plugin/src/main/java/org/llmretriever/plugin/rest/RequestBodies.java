package org.llmretriever.plugin.rest;

import org.opensearch.OpenSearchParseException;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.rest.RestRequest;

import java.io.IOException;
import java.util.Map;

/** Reading a JSON request body into a map, shared by the handlers that take one. */
final class RequestBodies {
    private RequestBodies() {}

    /** The body as a map; a missing body or one that is not a JSON object is the client's error (400), never a 500. */
    static Map<String, Object> map(RestRequest request) throws IOException {
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
}
