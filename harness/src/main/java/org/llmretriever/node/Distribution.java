package org.llmretriever.node;

import org.llmretriever.encoder.files.FileTrees;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The OpenSearch distribution and plugin zips that the harness installs, as copied by the Maven build into one
 * directory ({@code harness/target/dist}): {@code opensearch-<v>.zip}, {@code opensearch-knn-<v>.zip} and our
 * {@code llm-retriever-<v>.zip}. An installation (unpacked distribution + plugins) is cached per content key,
 * so repeated runs reuse it; nodes only read it.
 */
public final class Distribution {
    /** System property naming the directory with the zips. */
    public static final String DIST_DIR_PROPERTY = "llmretriever.dist.dir";

    /** Installations kept in the cache, counting the one just made. */
    static final int KEEP_INSTALLATIONS = 3;

    private final Path opensearchZip;
    private final List<Path> pluginZips;

    /** Explicit zips. */
    public Distribution(Path opensearchZip, List<Path> pluginZips) {
        this.opensearchZip = opensearchZip;
        this.pluginZips = List.copyOf(pluginZips);
    }

    /** The zips found in {@code dir}: the OpenSearch zip, then k-NN, then llm-retriever. */
    public static Distribution fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(
                "no OpenSearch distribution directory at " + dir + " (build it first: mvn -DskipTests package)");
        }
        Path os = null;
        Path knn = null;
        Path ours = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.zip")) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (n.startsWith("opensearch-knn-")) {
                    knn = f;
                } else if (n.startsWith("llm-retriever-")) {
                    ours = f;
                } else if (n.startsWith("opensearch-")) {
                    os = f;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (os == null || knn == null || ours == null) {
            throw new IllegalStateException(
                dir + " must hold opensearch-*.zip, opensearch-knn-*.zip and llm-retriever-*.zip (run mvn -DskipTests package)");
        }
        return new Distribution(os, List.of(knn, ours)); // k-NN first: llm-retriever extends it
    }

    /** The directory named by {@value #DIST_DIR_PROPERTY}. */
    public static Distribution fromSystemProperty() {
        String dir = System.getProperty(DIST_DIR_PROPERTY);
        if (dir == null) {
            throw new IllegalStateException("system property " + DIST_DIR_PROPERTY + " is not set");
        }
        return fromDirectory(Path.of(dir));
    }

    /** The plugin zips, in install order. */
    public List<Path> pluginZips() {
        return pluginZips;
    }

    /**
     * Installs the distribution and plugins under {@code cacheRoot} (once per content key) and returns the
     * OpenSearch home directory.
     */
    public Path install(Path cacheRoot, Jdk jdk) throws IOException, InterruptedException {
        Path home = cacheRoot.resolve("opensearch-" + contentKey());
        if (Files.isRegularFile(home.resolve(".installed"))) {
            markUsed(home);
            return home;
        }
        Path staging = cacheRoot.resolve("staging-" + ProcessHandle.current().pid());
        Files.createDirectories(staging);
        try {
            Path unpacked = unzip(opensearchZip, staging);
            List<String> installed = new ArrayList<>();
            for (Path zip : pluginZips) {
                List<String> cmd = List.of(
                    unpacked.resolve("bin/opensearch-plugin").toString(), "install", "--batch", zip.toUri().toString());
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                pb.environment().put("OPENSEARCH_JAVA_HOME", jdk.home().toString());
                pb.environment().put("JAVA_HOME", jdk.home().toString());
                Path log = staging.resolve("install-" + zip.getFileName() + ".log");
                pb.redirectOutput(log.toFile());
                Process p = pb.start();
                if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IOException("opensearch-plugin install " + zip + " failed:\n" + Files.readString(log));
                }
                installed.add(zip.getFileName().toString());
            }
            Files.writeString(unpacked.resolve(".installed"), String.join("\n", installed) + "\n");
            Files.createDirectories(cacheRoot);
            try {
                Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(home.resolve(".installed"))) {
                    throw raced;
                }
            }
            markUsed(home);
            pruneStale(cacheRoot, home);
            return home;
        } finally {
            FileTrees.deleteRecursively(staging);
        }
    }

    private static void markUsed(Path home) throws IOException {
        Files.setLastModifiedTime(home.resolve(".installed"), FileTime.fromMillis(System.currentTimeMillis()));
    }

    /**
     * Every rebuild of our zip makes a new installation (~330 MB); keep the {@value #KEEP_INSTALLATIONS} most
     * recently used and any used within the last hour (a node may still run from it), delete the rest.
     */
    static void pruneStale(Path cacheRoot, Path keep) throws IOException {
        List<Path> installs = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(cacheRoot, "opensearch-*")) {
            for (Path d : dirs) {
                if (!d.equals(keep) && Files.isRegularFile(d.resolve(".installed"))) {
                    installs.add(d);
                }
            }
        }
        installs.sort(Comparator.comparing(Distribution::lastUsed).reversed());
        long hourAgo = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        for (int i = KEEP_INSTALLATIONS - 1; i < installs.size(); i++) {
            if (lastUsed(installs.get(i)) < hourAgo) {
                FileTrees.deleteRecursively(installs.get(i));
            }
        }
    }

    private static long lastUsed(Path home) {
        try {
            return Files.getLastModifiedTime(home.resolve(".installed")).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Names the installation after the zips' names, sizes and modification times. */
    private String contentKey() throws IOException {
        long h = 1125899906842597L;
        List<Path> all = new ArrayList<>();
        all.add(opensearchZip);
        all.addAll(pluginZips);
        for (Path p : all) {
            String s = FileTrees.stamp(p);
            for (int i = 0; i < s.length(); i++) {
                h = 31 * h + s.charAt(i);
            }
        }
        return Long.toHexString(h);
    }

    /** Unzips and returns the single top-level directory (keeps the executable bit of bin/ scripts). */
    private static Path unzip(Path zip, Path into) throws IOException {
        Path top = null;
        try (InputStream raw = Files.newInputStream(zip); ZipInputStream in = new ZipInputStream(raw)) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry escapes the target directory: " + e.getName());
                }
                if (top == null) {
                    top = into.resolve(into.relativize(target).getName(0));
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    String parent = target.getParent().getFileName().toString();
                    if (parent.equals("bin") || parent.equals("tools") || e.getName().contains("/bin/")) {
                        target.toFile().setExecutable(true, false);
                    }
                }
            }
        }
        if (top == null) {
            throw new IOException(zip + " is empty");
        }
        return top;
    }
}
