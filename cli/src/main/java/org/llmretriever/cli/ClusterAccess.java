package org.llmretriever.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.trainer.client.SearchClient;
import org.llmretriever.trainer.index.Reembedder;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A cluster for a command: the one at {@code --opensearch}, or a local node (the harness's) started for the
 * command and stopped afterwards. Also registers models from a directory.
 */
final class ClusterAccess implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LocalCluster local;
    private final SearchClient client;
    private final Path modelsPath;

    private ClusterAccess(LocalCluster local, SearchClient client, Path modelsPath) {
        this.local = local;
        this.client = client;
        this.modelsPath = modelsPath;
    }

    /** Connects, or starts an ephemeral local node with models in {@code .llm-retriever/models}. */
    static ClusterAccess open(ConnectionOptions c, Path modelsPath) throws IOException, InterruptedException {
        Path models = modelsPath != null ? modelsPath : StateDirs.home().resolve("models");
        if (c.url != null) {
            return new ClusterAccess(null, c.connect(), models);
        }
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = StateDirs.home().resolve("eval-node");
        o.installCacheDir = StateDirs.installCache();
        o.clusterName = "llm-retriever-eval";
        o.heap = "1g";
        Files.createDirectories(models);
        o.settings.put("plugins.llm_retriever.models_path", models.toString());
        System.out.println("starting a local node (OpenSearch 3.5.0 + k-NN + llm-retriever) ...");
        LocalCluster cluster = LocalCluster.start(Distribution.fromDirectory(StateDirs.distDir()), o);
        return new ClusterAccess(cluster, SearchClient.connect(cluster.url(), null, null, false), models);
    }

    SearchClient client() {
        return client;
    }

    Path modelsPath() {
        return modelsPath;
    }

    /**
     * Registers the model in {@code dir} as {@code name}: embedding options from {@code dir/../retriever.json} (written
     * by adapt) unless given; returns its dimension.
     */
    int register(String name, Path dir, Map<String, Object> overrides) throws IOException {
        Map<String, Object> embedding = new LinkedHashMap<>();
        Path retriever = dir.resolveSibling("retriever.json");
        if (Files.isRegularFile(retriever)) {
            JSON.readTree(retriever.toFile()).fields().forEachRemaining(e -> embedding.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
        }
        embedding.putAll(overrides);
        JsonNode r = new Reembedder(client, System.out).register(name, dir, modelsPath, embedding);
        return r.path("dimension").asInt();
    }

    /** Dimension of a registered model. */
    int dimension(String name) throws IOException {
        return client.get("/_plugins/_llm_retriever/models/" + name).path("models").path(name).path("dimension").asInt();
    }

    @Override
    public void close() throws IOException {
        client.close();
        if (local != null) {
            local.close();
        }
    }
}
