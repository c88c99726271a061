package org.llmretriever.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.files.FileTrees;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The one local-cluster harness: used by the tests and by {@code ./llm-retriever node}. It installs the
 * OpenSearch 3.5 distribution with k-NN and llm-retriever (cached), starts N nodes bound to 127.0.0.1 on free
 * ports (single-node discovery for one node), runs them as an unprivileged user when the harness runs as root,
 * waits for cluster health and always stops the nodes again: on {@link #close()}, on JVM shutdown (Ctrl-C) and,
 * through a watchdog process, when the harness JVM dies without running shutdown hooks. An ephemeral cluster
 * also deletes its directories; a persistent one ({@link Options#persistent}) keeps data for the next start.
 */
public final class LocalCluster implements AutoCloseable {
    /** uid/gid of {@code nobody}, the user nodes run as when the harness is root (OpenSearch refuses root). */
    public static final int UNPRIVILEGED_ID = 65534;
    private static final String STATE_FILE = "cluster.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int START_ATTEMPTS = 3;
    /** The script each node runs under (see {@link #writeWatchdog}). */
    private static final String WATCHDOG = "watchdog.sh";
    /** How often {@link #awaitHealth} asks, and how long one health request may take. */
    private static final long HEALTH_POLL_MILLIS = 500;
    private static final int HEALTH_REQUEST_TIMEOUT_MILLIS = 10_000;
    /** Lines of the node log and of its console output that error messages quote. */
    private static final int LOG_TAIL_LINES = 40;
    private static final int CONSOLE_TAIL_LINES = 20;

    /** How to start a cluster. Fields are public and mutable on purpose: set what you need, keep the rest. */
    public static final class Options {
        /** Directory of the cluster: one sub-directory per node, plus state and watchdog files. */
        public Path workDir;
        /** Where installed distributions are cached (survives the cluster). */
        public Path installCacheDir;
        /** Number of nodes. */
        public int nodes = 1;
        /** Heap per node, e.g. {@code 512m}. */
        public String heap = "512m";
        /** First HTTP port wanted; taken ports are replaced by free ones. 0 = any free port. */
        public int httpPort = 0;
        /** Cluster name. */
        public String clusterName = "llm-retriever";
        /** Settings for every node's {@code opensearch.yml}. */
        public Map<String, String> settings = new LinkedHashMap<>();
        /** Extra settings per node index. */
        public Map<Integer, Map<String, String>> nodeSettings = new LinkedHashMap<>();
        /** Keep data between starts and let the nodes outlive this JVM ({@code node start}); else ephemeral. */
        public boolean persistent = false;
        /** How long to wait for the cluster to answer. */
        public Duration startTimeout = Duration.ofMinutes(3);
        /** Where to copy the node logs when an ephemeral cluster is deleted (null: do not keep them). */
        public Path keepLogsIn;
        /** The JDK for the nodes (null: {@link Jdk#locate()}). */
        public Jdk jdk;
    }

    /** One node of the cluster. */
    public static final class Node {
        private final int index;
        private final String name;
        private final Path dir;
        private int httpPort;
        private int transportPort;
        private Process launcher;

        Node(int index, String name, Path dir) {
            this.index = index;
            this.name = name;
            this.dir = dir;
        }

        /** Position in the cluster, from 0. */
        public int index() {
            return index;
        }

        /** Node name. */
        public String name() {
            return name;
        }

        /** The node's directory (config, data, logs, tmp). */
        public Path dir() {
            return dir;
        }

        /** HTTP port on 127.0.0.1. */
        public int httpPort() {
            return httpPort;
        }

        /** Transport port on 127.0.0.1. */
        public int transportPort() {
            return transportPort;
        }

        /** {@code 127.0.0.1:port}. */
        public String httpHost() {
            return "127.0.0.1:" + httpPort;
        }

        /** {@code http://127.0.0.1:port}. */
        public String url() {
            return "http://" + httpHost();
        }

        /** The node's main log. */
        public Path logFile(String clusterName) {
            return dir.resolve("logs").resolve(clusterName + ".log");
        }

        Path pidFile() {
            return dir.resolve("opensearch.pid");
        }

        Path consoleLog() {
            return dir.resolve("logs").resolve("console.log");
        }

        /** The node's JVM, if it is running. */
        public Optional<ProcessHandle> process() {
            try {
                if (Files.isRegularFile(pidFile())) {
                    long pid = Long.parseLong(Files.readString(pidFile()).trim());
                    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
                }
            } catch (IOException | NumberFormatException e) {
                // fall through: no usable pid file yet
            }
            return Optional.empty();
        }
    }

    private final Options options;
    private final Path home;
    private final Jdk jdk;
    private final List<Node> nodes = new ArrayList<>();
    private Thread shutdownHook;
    private boolean closed;

    private LocalCluster(Options options, Path home, Jdk jdk) {
        this.options = options;
        this.home = home;
        this.jdk = jdk;
    }

    /** Installs (cached) and starts a cluster; on failure everything started is stopped and the log tail is in the message. */
    public static LocalCluster start(Distribution distribution, Options options) throws IOException, InterruptedException {
        if (options.workDir == null) {
            throw new IllegalArgumentException("Options.workDir is required");
        }
        Jdk jdk = options.jdk != null ? options.jdk : Jdk.locate();
        Path cache = options.installCacheDir != null ? options.installCacheDir : options.workDir.resolve("install");
        Path home = distribution.install(cache, jdk);
        LocalCluster cluster = new LocalCluster(options, home, jdk);
        cluster.startAll();
        return cluster;
    }

    /**
     * The cluster described by the state file in {@code workDir} (written by a persistent start), for
     * {@code node status} and {@code node stop} from another process.
     */
    public static Optional<LocalCluster> attach(Path workDir) throws IOException {
        Path state = workDir.resolve(STATE_FILE);
        if (!Files.isRegularFile(state)) {
            return Optional.empty();
        }
        JsonNode root = JSON.readTree(state.toFile());
        Options o = new Options();
        o.workDir = workDir;
        o.persistent = root.path("persistent").asBoolean(true);
        o.clusterName = root.path("cluster_name").asText("llm-retriever");
        LocalCluster c = new LocalCluster(o, Path.of(root.path("home").asText()), null);
        for (JsonNode n : root.path("nodes")) {
            Node node = new Node(n.path("index").asInt(), n.path("name").asText(), Path.of(n.path("dir").asText()));
            node.httpPort = n.path("http_port").asInt();
            node.transportPort = n.path("transport_port").asInt();
            c.nodes.add(node);
        }
        return Optional.of(c);
    }

    /** The nodes. */
    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** {@code host:port} of every node, comma-separated (the form of {@code tests.rest.cluster}). */
    public String httpHosts() {
        return nodes.stream().map(Node::httpHost).collect(Collectors.joining(","));
    }

    /** URL of the first node. */
    public String url() {
        return nodes.get(0).url();
    }

    /** The cluster's directory. */
    public Path workDir() {
        return options.workDir;
    }

    /** Whether every node's JVM is alive. */
    public boolean allAlive() {
        return nodes.stream().allMatch(n -> n.process().isPresent());
    }

    /** Cluster health JSON from the first live node, or empty if none answers. */
    public Optional<String> health() {
        for (Node n : nodes) {
            try {
                LocalHttp.Response r = LocalHttp.get(n.url() + "/_cluster/health", 5_000);
                if (r.status() == 200) {
                    return Optional.of(r.body());
                }
            } catch (IOException e) {
                // try the next node
            }
        }
        return Optional.empty();
    }

    private void startAll() throws IOException, InterruptedException {
        Files.createDirectories(options.workDir);
        requireNodeUserAccess();
        writeWatchdog();
        for (int i = 0; i < options.nodes; i++) {
            nodes.add(new Node(i, "node-" + i, options.workDir.resolve("node-" + i)));
        }
        if (!options.persistent) {
            shutdownHook = new Thread(this::closeQuietly, "llm-retriever-cluster-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            assignPorts(attempt > 1);
            for (Node n : nodes) {
                prepareNode(n);
            }
            for (Node n : nodes) {
                launch(n);
            }
            try {
                awaitHealth(nodes.size());
                writeState();
                return;
            } catch (IOException e) {
                last = e;
                stopAll();
                if (!e.getMessage().contains("Address already in use") && !e.getMessage().contains("BindException")) {
                    break;
                }
                // A port was taken between picking and binding: try again with other ports.
            }
        }
        closeQuietly();
        throw last;
    }

    /** As root, fails (and removes an ephemeral cluster's directory) if uid 65534 cannot reach what a node needs. */
    private void requireNodeUserAccess() throws IOException, InterruptedException {
        if (!isRoot()) {
            return;
        }
        try {
            NodeUserAccess.require(pathsTheNodeReads(), UNPRIVILEGED_ID);
        } catch (IOException e) {
            if (!options.persistent) {
                FileTrees.deleteRecursively(options.workDir);
            }
            throw e;
        }
    }

    private void assignPorts(boolean fresh) {
        Set<Integer> taken = Ports.newTakenSet();
        for (Node n : nodes) {
            int wanted = fresh || options.httpPort <= 0 ? 0 : options.httpPort + n.index;
            if (!fresh && n.httpPort > 0) {
                wanted = n.httpPort;
            }
            n.httpPort = Ports.pick(wanted, taken);
            n.transportPort = Ports.pick(fresh || n.transportPort <= 0 ? 0 : n.transportPort, taken);
        }
    }

    private void prepareNode(Node n) throws IOException, InterruptedException {
        Path config = n.dir.resolve("config");
        if (!Files.isDirectory(config)) {
            FileTrees.copyTree(home.resolve("config"), config);
        }
        for (String d : List.of("data", "logs", "tmp")) {
            Files.createDirectories(n.dir.resolve(d));
        }
        writeJvmOptions(n, config);
        Map<String, String> s = nodeSettings(n);
        StringBuilder yml = new StringBuilder("# written by the llm-retriever harness\n");
        for (Map.Entry<String, String> e : s.entrySet()) {
            yml.append(e.getKey()).append(": ").append(JSON.writeValueAsString(e.getValue())).append('\n');
        }
        Files.writeString(config.resolve("opensearch.yml"), yml.toString());
        Files.deleteIfExists(n.pidFile());
        if (isRoot()) {
            NodeUserAccess.chown(n.dir, UNPRIVILEGED_ID, UNPRIVILEGED_ID);
        }
    }

    /** A node's opensearch.yml: its name, ports and paths, discovery, then the options' settings (per node last). */
    private Map<String, String> nodeSettings(Node n) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("cluster.name", options.clusterName);
        s.put("node.name", n.name);
        s.put("network.host", "127.0.0.1");
        s.put("http.port", Integer.toString(n.httpPort));
        s.put("transport.port", Integer.toString(n.transportPort));
        s.put("path.data", n.dir.resolve("data").toString());
        s.put("path.logs", n.dir.resolve("logs").toString());
        if (nodes.size() == 1) {
            s.put("discovery.type", "single-node");
        } else {
            s.put("discovery.seed_hosts", nodes.stream().map(x -> "127.0.0.1:" + x.transportPort).collect(Collectors.joining(",")));
            s.put("cluster.initial_cluster_manager_nodes", nodes.stream().filter(this::managerEligible).map(Node::name)
                .collect(Collectors.joining(",")));
        }
        // Small CI disks must not flip indices to read-only.
        s.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        s.putAll(options.settings);
        s.putAll(options.nodeSettings.getOrDefault(n.index, Map.of()));
        return s;
    }

    /**
     * The distribution's jvm.options write GC logs, heap dumps and error files relative to the (shared, read-only)
     * install directory; point them into the node's own directory.
     */
    private void writeJvmOptions(Node n, Path config) throws IOException {
        String logs = n.dir.resolve("logs").toString();
        String jvm = Files.readString(home.resolve("config").resolve("jvm.options"))
            .replace("file=logs/gc.log", "file=" + logs + "/gc.log")
            .replace("-XX:HeapDumpPath=data", "-XX:HeapDumpPath=" + n.dir.resolve("data"))
            .replace("-XX:ErrorFile=logs/", "-XX:ErrorFile=" + logs + "/");
        Files.writeString(config.resolve("jvm.options"), jvm);
    }

    /** Whether a node's {@code node.roles} (if set) let it be elected cluster manager. */
    private boolean managerEligible(Node n) {
        String roles = options.nodeSettings.getOrDefault(n.index, Map.of()).getOrDefault("node.roles", options.settings.get("node.roles"));
        return roles == null || roles.contains("cluster_manager") || roles.contains("master");
    }

    private void launch(Node n) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (options.persistent) {
            cmd.add("setsid"); // own session: a later Ctrl-C in this terminal does not reach the node
        }
        cmd.add("bash");
        cmd.add(options.workDir.resolve(WATCHDOG).toString());
        if (isRoot()) {
            cmd.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_ID, "--regid=" + UNPRIVILEGED_ID, "--clear-groups"));
        }
        cmd.add(home.resolve("bin/opensearch").toString());
        cmd.add("-p");
        cmd.add(n.pidFile().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(n.dir.toFile()).redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(n.consoleLog().toFile()));
        Map<String, String> env = pb.environment();
        env.put("OPENSEARCH_JAVA_HOME", jdk.home().toString());
        env.put("JAVA_HOME", jdk.home().toString());
        env.put("OPENSEARCH_PATH_CONF", n.dir.resolve("config").toString());
        env.put("OPENSEARCH_TMPDIR", n.dir.resolve("tmp").toString());
        env.put("OPENSEARCH_JAVA_OPTS", "-Xms" + options.heap + " -Xmx" + options.heap);
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        if (!options.persistent) {
            env.put("LLMR_WATCH_PID", Long.toString(ProcessHandle.current().pid()));
        } else {
            env.remove("LLMR_WATCH_PID");
        }
        n.launcher = pb.start();
    }

    private void awaitHealth(int expectedNodes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + options.startTimeout.toNanos();
        String url = nodes.get(0).url() + "/_cluster/health?wait_for_nodes=" + expectedNodes + "&wait_for_status=yellow&timeout=2s";
        while (System.nanoTime() < deadline) {
            for (Node n : nodes) {
                if (n.launcher != null && !n.launcher.isAlive() && !options.persistent) {
                    throw new IOException(n.name + " exited with code " + n.launcher.exitValue() + " while starting.\n" + logTail(n));
                }
                if (options.persistent && n.launcher != null && !n.launcher.isAlive() && n.launcher.exitValue() != 0) {
                    throw new IOException(n.name + " exited with code " + n.launcher.exitValue() + " while starting.\n" + logTail(n));
                }
            }
            try {
                LocalHttp.Response r = LocalHttp.get(url, HEALTH_REQUEST_TIMEOUT_MILLIS);
                if (r.status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(HEALTH_POLL_MILLIS);
        }
        throw new IOException(
            "cluster did not become healthy within " + options.startTimeout.toSeconds() + "s.\n" + logTail(nodes.get(0)));
    }

    /** The last lines of a node's logs, for error messages. */
    public String logTail(Node n) {
        return "--- " + n.logFile(options.clusterName) + " (last " + LOG_TAIL_LINES + " lines) ---\n"
            + FileTrees.tail(n.logFile(options.clusterName), LOG_TAIL_LINES)
            + "\n--- " + n.consoleLog() + " (last " + CONSOLE_TAIL_LINES + " lines) ---\n" + FileTrees.tail(n.consoleLog(), CONSOLE_TAIL_LINES);
    }

    /**
     * Writes {@code watchdog.sh} (resource {@value #WATCHDOG}) into the cluster directory: every node is launched
     * through it, so it ends when the harness JVM ({@code LLMR_WATCH_PID}) is gone, even after a kill -9.
     */
    private void writeWatchdog() throws IOException {
        Path script = options.workDir.resolve(WATCHDOG);
        try (InputStream in = LocalCluster.class.getResourceAsStream(WATCHDOG)) {
            if (in == null) {
                throw new IOException("resource " + WATCHDOG + " is missing from the harness jar");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void writeState() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("cluster_name", options.clusterName);
        root.put("home", home.toString());
        root.put("persistent", options.persistent);
        ArrayNode arr = root.putArray("nodes");
        for (Node n : nodes) {
            ObjectNode o = arr.addObject();
            o.put("index", n.index);
            o.put("name", n.name);
            o.put("dir", n.dir.toString());
            o.put("http_port", n.httpPort);
            o.put("transport_port", n.transportPort);
            n.process().ifPresent(p -> o.put("pid", p.pid()));
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(options.workDir.resolve(STATE_FILE).toFile(), root);
    }

    /** Stops one node (SIGTERM, then SIGKILL after 60 s); its data stays. */
    public void stopNode(int index) throws InterruptedException {
        stop(nodes.get(index), false);
    }

    /** Kills one node at once ({@code kill -9}), as a crash would; its data stays. */
    public void killNode(int index) throws InterruptedException {
        stop(nodes.get(index), true);
    }

    /** Starts a stopped node again with the same ports and data, and waits for the cluster to have all nodes. */
    public void restartNode(int index) throws IOException, InterruptedException {
        Node n = nodes.get(index);
        if (n.process().isPresent()) {
            throw new IllegalStateException(n.name + " is still running");
        }
        Files.deleteIfExists(n.pidFile());
        launch(n);
        awaitHealth(nodes.size());
        writeState();
    }

    /** Stops every node, then starts them all again (a full cluster restart) and waits for health. */
    public void restartAll() throws IOException, InterruptedException {
        stopAll();
        for (Node n : nodes) {
            Files.deleteIfExists(n.pidFile());
            launch(n);
        }
        awaitHealth(nodes.size());
        writeState();
    }

    private void stop(Node n, boolean kill) throws InterruptedException {
        Optional<ProcessHandle> jvm = n.process();
        if (jvm.isPresent()) {
            ProcessHandle p = jvm.get();
            if (kill) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
            try {
                p.onExit().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
            }
        }
        if (n.launcher != null) {
            // Also ends a node that had not yet written its pid file.
            n.launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            n.launcher.destroy();
            if (!n.launcher.waitFor(30, TimeUnit.SECONDS)) {
                n.launcher.destroyForcibly();
                n.launcher.waitFor(10, TimeUnit.SECONDS);
            }
        }
        // Wait until the ports are released so a restart can bind them again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !(Ports.isFree(n.httpPort) && Ports.isFree(n.transportPort))) {
            Thread.sleep(200);
        }
    }

    private void stopAll() {
        for (Node n : nodes) {
            try {
                stop(n, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops every node; an ephemeral cluster then deletes its directory (keeping logs if asked). */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        stopAll();
        if (options.persistent) {
            for (Node n : nodes) {
                FileTrees.deleteRecursively(n.dir.resolve("tmp"));
            }
            Files.deleteIfExists(options.workDir.resolve(STATE_FILE));
        } else {
            if (options.keepLogsIn != null) {
                for (Node n : nodes) {
                    Path logs = n.dir.resolve("logs");
                    if (Files.isDirectory(logs)) {
                        FileTrees.copyTree(logs, options.keepLogsIn.resolve(n.name));
                    }
                }
            }
            FileTrees.deleteRecursively(options.workDir);
        }
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already shutting down; the hook runs close() anyway, which is now a no-op
            }
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | UncheckedIOException e) {
            System.err.println("llm-retriever harness: cleanup failed: " + e.getMessage());
        }
    }

    /** What a node running as {@link #UNPRIVILEGED_ID} must reach: its JDK, the installation, its directory, models. */
    private Map<Path, String> pathsTheNodeReads() {
        Map<Path, String> paths = new LinkedHashMap<>();
        paths.put(jdk.home().resolve("bin").resolve("java"), "-x");
        paths.put(home.resolve("bin").resolve("opensearch"), "-x");
        paths.put(options.workDir, "-x");
        for (String key : List.of("plugins.llm_retriever.models_path", "plugins.llm_retriever.native_cache_dir")) {
            String v = options.settings.get(key);
            if (v != null && !v.isBlank() && Files.exists(Path.of(v))) {
                paths.put(Path.of(v), "-x");
            }
        }
        return paths;
    }

    /** Whether this JVM runs as root (then nodes run as {@code nobody}). */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
