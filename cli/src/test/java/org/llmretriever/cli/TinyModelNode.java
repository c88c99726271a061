package org.llmretriever.cli;

import org.junit.rules.ExternalResource;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.trainer.client.SearchClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * One real node for a CLI integration test, as a JUnit class rule: a fresh directory under
 * {@code llmretriever.it.dir}, a tiny random Llama written to {@code <dir>/models/tiny} (the node's models_path, not
 * yet registered) and a client; stopped after the class.
 */
public final class TinyModelNode extends ExternalResource {
    private final String name;
    private final long seed;
    private Path dir;
    private LocalCluster cluster;
    private SearchClient client;

    /** The node of test {@code name}, its tiny model drawn from {@code seed}. */
    public TinyModelNode(String name, long seed) {
        this.name = name;
        this.seed = seed;
    }

    @Override
    protected void before() throws Throwable {
        dir = Path.of(System.getProperty("llmretriever.it.dir", "target/it")).resolve(name).toAbsolutePath();
        FileTrees.deleteRecursively(dir);
        Path models = dir.resolve("models");
        RandomCheckpoints.write(models.resolve("tiny"), "llama", seed);
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = dir.resolve("node");
        o.installCacheDir = Path.of(System.getProperty("llmretriever.install.cache"));
        o.clusterName = name + "-it";
        o.settings.put("plugins.llm_retriever.models_path", models.toString());
        cluster = LocalCluster.start(Distribution.fromSystemProperty(), o);
        client = SearchClient.connect(cluster.url(), null, null, false);
    }

    @Override
    protected void after() {
        try (LocalCluster stopLast = cluster; SearchClient closeFirst = client) {
            // try-with-resources closes the client, then stops the node; either may be null after a failed start
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The test's directory ({@code models/}, {@code node/}, and whatever the test writes). */
    public Path dir() {
        return dir;
    }

    public String url() {
        return cluster.url();
    }

    public SearchClient client() {
        return client;
    }
}
