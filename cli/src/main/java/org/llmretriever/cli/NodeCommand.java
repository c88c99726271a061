package org.llmretriever.cli;

import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code node start|stop|status}: a local OpenSearch 3.5 node with k-NN and llm-retriever, for trying things out.
 * The subcommands are this class's {@code @Command} methods (picocli's form for subcommands this small; picocli lists
 * them by name).
 */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run a local OpenSearch node with k-NN and llm-retriever installed."
)
public final class NodeCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** {@code --work-dir} of every node subcommand, and the node that runs there. */
    static final class WorkDir {
        @Option(names = "--work-dir", paramLabel = "<dir>", description = "Node directory (default: .llm-retriever/node).")
        Path option;

        Path path() {
            return option != null ? option.toAbsolutePath() : StateDirs.home().resolve("node");
        }

        /** The node of this directory, if it has been started and every one of its processes is alive. */
        Optional<LocalCluster> running() throws IOException {
            return LocalCluster.attach(path()).filter(LocalCluster::allAlive);
        }
    }

    /** {@code node start}. */
    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the node in the background (data is kept).")
    int start(@Mixin WorkDir workDir,
              @Option(names = "--port", paramLabel = "<port>", defaultValue = "9200",
                  description = "HTTP port wanted; a free one is used if taken, any free one for 0 (default: ${DEFAULT-VALUE}).") int port,
              @Option(names = "--heap", paramLabel = "<heap>", defaultValue = "1g",
                  description = "JVM heap of the node (default: ${DEFAULT-VALUE}).") String heap)
        throws IOException, InterruptedException {
        Optional<LocalCluster> running = workDir.running();
        if (running.isPresent()) {
            System.out.println("already running: " + running.get().url());
            return ExitCodes.OK;
        }
        Path dir = workDir.path();
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = dir;
        o.installCacheDir = StateDirs.installCache();
        o.persistent = true;
        o.httpPort = port;
        o.heap = heap;
        o.settings.putAll(NodeSettings.defaults(dir));
        System.out.println("starting OpenSearch 3.5.0 with k-NN and llm-retriever in " + dir + " ...");
        LocalCluster c = LocalCluster.start(Distribution.fromDirectory(StateDirs.distDir()), o);
        if (port != 0 && c.nodes().get(0).httpPort() != port) {
            System.out.println("port " + port + " is in use; using " + c.nodes().get(0).httpPort() + " instead");
        }
        System.out.println("node is up: " + c.url());
        System.out.println("  curl " + c.url() + "/_plugins/_llm_retriever");
        System.out.println("  curl '" + c.url() + "/_cat/plugins?v'");
        System.out.println("stop it with: ./llm-retriever node stop");
        return ExitCodes.OK;
    }

    /** {@code node stop}: also a node whose processes are only partly alive. */
    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the node (data is kept).")
    int stop(@Mixin WorkDir workDir) throws IOException {
        Optional<LocalCluster> c = LocalCluster.attach(workDir.path());
        if (c.isEmpty()) {
            System.out.println("no node is running in " + workDir.path());
            return ExitCodes.OK;
        }
        c.get().close();
        System.out.println("stopped");
        return ExitCodes.OK;
    }

    /** {@code node status}. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show whether the node runs and its health.")
    int status(@Mixin WorkDir workDir) throws IOException {
        Optional<LocalCluster> c = workDir.running();
        if (c.isEmpty()) {
            System.out.println("not running");
            return ExitCodes.NOT_RUNNING;
        }
        System.out.println("running: " + c.get().url());
        System.out.println(c.get().health().orElse("(no answer to _cluster/health)"));
        return ExitCodes.OK;
    }
}
