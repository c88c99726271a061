package org.llmretriever.cli;

import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code node start|stop|status}: a local OpenSearch 3.5 node with k-NN and llm-retriever, for trying things out. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = "Run a local OpenSearch node with k-NN and llm-retriever installed.",
    subcommands = { NodeCommand.Start.class, NodeCommand.Stop.class, NodeCommand.Status.class }
)
public final class NodeCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** {@code --work-dir} of every node subcommand. */
    static final class WorkDir {
        @Option(names = "--work-dir", paramLabel = "<dir>", description = "Node directory (default: .llm-retriever/node).")
        Path option;

        Path path() {
            return option != null ? option.toAbsolutePath() : StateDirs.home().resolve("node");
        }
    }

    /** {@code node start}. */
    @Command(name = "start", mixinStandardHelpOptions = true, description = "Start the node in the background (data is kept).")
    static final class Start implements Callable<Integer> {
        @Mixin
        WorkDir workDir;

        @Option(names = "--port", defaultValue = "9200", description = "HTTP port wanted; a free one is used if taken, any free one for 0 (default: ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--heap", defaultValue = "1g", description = "JVM heap of the node (default: ${DEFAULT-VALUE}).")
        String heap;

        @Override
        public Integer call() throws Exception {
            Path dir = workDir.path();
            Optional<LocalCluster> running = LocalCluster.attach(dir);
            if (running.isPresent() && running.get().allAlive()) {
                System.out.println("already running: " + running.get().url());
                return ExitCodes.OK;
            }
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
    }

    /** {@code node stop}. */
    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the node (data is kept).")
    static final class Stop implements Callable<Integer> {
        @Mixin
        WorkDir workDir;

        @Override
        public Integer call() throws Exception {
            Optional<LocalCluster> c = LocalCluster.attach(workDir.path());
            if (c.isEmpty()) {
                System.out.println("no node is running in " + workDir.path());
                return ExitCodes.OK;
            }
            c.get().close();
            System.out.println("stopped");
            return ExitCodes.OK;
        }
    }

    /** {@code node status}. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show whether the node runs and its health.")
    static final class Status implements Callable<Integer> {
        @Mixin
        WorkDir workDir;

        @Override
        public Integer call() throws Exception {
            Optional<LocalCluster> c = LocalCluster.attach(workDir.path());
            if (c.isEmpty() || !c.get().allAlive()) {
                System.out.println("not running");
                return ExitCodes.NOT_RUNNING;
            }
            System.out.println("running: " + c.get().url());
            System.out.println(c.get().health().orElse("(no answer to _cluster/health)"));
            return ExitCodes.OK;
        }
    }
}
