package org.llmretriever.cli;

import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.testing.TinyModels;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.trainer.client.SearchClient;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One real node for a CLI integration test: a fresh directory under {@code llmretriever.it.dir}, a tiny random
 * Llama written to {@code <dir>/models/tiny} (the node's models_path, not yet registered) and a client.
 */
public final class TinyModelNode implements AutoCloseable {
    /** The test's directory ({@code models/}, {@code node/}, and whatever the test writes). */
    public final Path dir;
    public final LocalCluster cluster;
    public final SearchClient client;

    private TinyModelNode(Path dir, LocalCluster cluster, SearchClient client) {
        this.dir = dir;
        this.cluster = cluster;
        this.client = client;
    }

    /** Starts the node of test {@code name}, with the tiny model drawn from {@code seed}. */
    public static TinyModelNode start(String name, long seed) throws IOException, InterruptedException {
        Path dir = Path.of(System.getProperty("llmretriever.it.dir", "target/it")).resolve(name).toAbsolutePath();
        FileTrees.deleteRecursively(dir);
        Path models = dir.resolve("models");
        TinyModels.write(models.resolve("tiny"), "llama", seed);
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = dir.resolve("node");
        o.installCacheDir = Path.of(System.getProperty("llmretriever.install.cache"));
        o.clusterName = name + "-it";
        o.settings.put("plugins.llm_retriever.models_path", models.toString());
        LocalCluster cluster = LocalCluster.start(Distribution.fromSystemProperty(), o);
        return new TinyModelNode(dir, cluster, SearchClient.connect(cluster.url(), null, null, false));
    }

    /** Closes the client, then stops the node. Safe on a null node (a failed start). */
    public static void close(TinyModelNode node) throws IOException {
        if (node != null) {
            node.close();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            cluster.close();
        }
    }
}
