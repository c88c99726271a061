package org.llmretriever.plugin.rest;

import org.opensearch.rest.BaseRestHandler;

import java.util.List;

/**
 * A handler of the plugin's REST API: its name (for {@code _nodes/usage}) and routes are given once to the
 * constructor, so a handler class is only what it does with a request.
 */
abstract class LlmRetrieverRestHandler extends BaseRestHandler {
    private final String name;
    private final List<Route> routes;

    LlmRetrieverRestHandler(String name, Route... routes) {
        this.name = name;
        this.routes = List.of(routes);
    }

    @Override
    public final String getName() {
        return name;
    }

    @Override
    public final List<Route> routes() {
        return routes;
    }
}
