package org.llmretriever.yamlrest;

import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The one node all YAML suites of a test JVM talk to, started on first use by the harness and stopped when
 * the JVM exits (shutdown hook; the harness's watchdog covers a killed JVM).
 */
final class SharedTestCluster {
    private static LocalCluster cluster;
    private static IllegalStateException startFailure;

    private SharedTestCluster() {}

    static synchronized LocalCluster get() {
        if (startFailure != null) {
            throw startFailure; // fail every suite fast with the first cause, rather than retrying the start
        }
        if (cluster == null) {
            LocalCluster.Options o = new LocalCluster.Options();
            o.workDir = Path.of(required("llmretriever.cluster.dir"));
            o.installCacheDir = Path.of(required("llmretriever.install.cache"));
            o.keepLogsIn = Path.of(required("llmretriever.cluster.logs"));
            o.clusterName = "yaml-rest-test";
            try {
                addTestModels(o);
                cluster = LocalCluster.start(Distribution.fromSystemProperty(), o);
            } catch (Exception e) {
                startFailure = new IllegalStateException("could not start the test node: " + e.getMessage(), e);
                throw startFailure;
            }
        }
        return cluster;
    }

    /**
     * Options for a test class's own cluster beside the shared node: directories {@code <name>-cluster} and
     * {@code <name>-cluster-logs}, cluster name {@code <name>-test}, and {@link TestModels} in its models_path.
     */
    static LocalCluster.Options separateCluster(String name, int nodes) throws IOException {
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = Path.of(required("llmretriever.cluster.dir")).resolveSibling(name + "-cluster");
        o.installCacheDir = Path.of(required("llmretriever.install.cache"));
        o.keepLogsIn = Path.of(required("llmretriever.cluster.logs")).resolveSibling(name + "-cluster-logs");
        o.clusterName = name + "-test";
        o.nodes = nodes;
        addTestModels(o);
        return o;
    }

    /** Writes {@link TestModels} into {@code <workDir>/models} and makes that the nodes' models_path. */
    private static void addTestModels(LocalCluster.Options o) throws IOException {
        Path models = o.workDir.resolve("models");
        o.settings.put("plugins.llm_retriever.models_path", models.toString());
        TestModels.write(models, o.workDir.resolve("outside"));
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven failsafe)");
        }
        return v;
    }
}
