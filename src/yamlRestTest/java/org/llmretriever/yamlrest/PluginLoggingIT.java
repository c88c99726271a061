package org.llmretriever.yamlrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.Test;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.node.LocalHttp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

/**
 * The encoder and DJL log through slf4j. Inside the node the slf4j classes are k-NN's ({@code extended.plugins}),
 * whose own factory has no provider and drops every line; the plugin build points their logger lookups at
 * {@code Slf4jLoggerFactory} instead. Loading a model on the shared test node must put the encoder's "loading" line
 * and DJL's engine lines into the node's log (and libtorch's JNI library, which finds DJL's logger by its slf4j type,
 * must load: the model gets ready).
 */
public class PluginLoggingIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "logging-probe";
    private static final String CHECKPOINT = "tiny-neox";

    private static JsonNode call(LocalCluster cluster, String method, String path, String body, int expectedStatus) throws IOException {
        LocalHttp.Response r = LocalHttp.send(method, cluster.url() + path, body, 120_000);
        assertEquals(method + " " + path + " -> " + r.body(), expectedStatus, r.status());
        return JSON.readTree(r.body().isEmpty() ? "{}" : r.body());
    }

    /** The node log's lines from the encoder saying it loads {@link #CHECKPOINT}. */
    private static long encoderLoadLines(Path log) throws IOException {
        return Files.readAllLines(log).stream()
            .filter(l -> l.contains("EncoderModel") && l.contains("loading ") && l.contains(CHECKPOINT))
            .count();
    }

    @Test
    public void encoderAndDjlLogLinesReachTheNodeLog() throws Exception {
        LocalCluster cluster = SharedTestCluster.get();
        LocalCluster.Node node = cluster.nodes().get(0);
        Path log = node.logFile("yaml-rest-test");
        long before = encoderLoadLines(log);

        call(cluster, "PUT", "/_plugins/_llm_retriever/models/" + MODEL, "{\"path\": \"" + CHECKPOINT + "\"}", 201);
        try {
            JsonNode load = call(cluster, "POST", "/_plugins/_llm_retriever/models/" + MODEL + "/_load", null, 200);
            assertEquals(load.toString(), "ready", load.path("nodes").path(node.name()).path("models").path(MODEL).path("state").asText());

            assertEquals("one encoder line for this load in " + log + ":\n" + cluster.logTail(node), before + 1, encoderLoadLines(log));
            List<String> djl = Files.readAllLines(log).stream().filter(l -> l.contains("[a.d.")).toList();
            assertFalse("DJL's lines (loggers ai.djl.*) in " + log + ":\n" + cluster.logTail(node), djl.isEmpty());
        } finally {
            call(cluster, "DELETE", "/_plugins/_llm_retriever/models/" + MODEL, null, 200);
        }
    }
}
