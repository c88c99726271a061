package org.llmretriever.plugin.rest;

import org.llmretriever.plugin.LlmRetrieverPlugin;
import org.opensearch.rest.RestHandler;
import org.opensearch.test.OpenSearchTestCase;

import java.util.ArrayList;
import java.util.List;

/** The REST API: one handler per route, and every documented route served exactly once. */
public class RestRoutesTests extends OpenSearchTestCase {
    public void testEveryRouteHasExactlyOneHandler() {
        List<RestHandler> handlers = new LlmRetrieverPlugin().getRestHandlers(null, null, null, null, null, null, null);
        List<String> routes = new ArrayList<>();
        for (RestHandler h : handlers) {
            for (RestHandler.Route r : h.routes()) {
                routes.add(r.getMethod() + " " + r.getPath());
            }
        }
        String base = RestPluginInfoAction.BASE;
        List<String> expected = List.of(
            "GET " + base,
            "GET " + base + "/presets",
            "PUT " + base + "/models/{name}",
            "GET " + base + "/models",
            "GET " + base + "/models/{name}",
            "DELETE " + base + "/models/{name}",
            "POST " + base + "/models/{name}/_load",
            "POST " + base + "/models/{name}/_embed",
            "GET " + base + "/stats");
        assertEquals(expected.stream().sorted().toList(), routes.stream().sorted().toList());
    }
}
