package org.llmretriever.cli;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.node.LocalHttp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

/**
 * A root user's checkout inside a private directory (like {@code /root}, mode 0700), which uid 65534 — the user
 * nodes run as — cannot enter: {@code ./llm-retriever node start} must still work, and the harness, given paths
 * that user cannot reach, must say so instead of failing with "Permission denied".
 */
public class PrivateHomeIT {
    private static Path base;
    private static Path checkout;

    @BeforeClass
    public static void privateCheckout() throws Exception {
        assumeTrue("runs only as root (the case is a root user's private home)", LocalCluster.isRoot());
        base = Path.of(System.getProperty("llmretriever.it.dir", "target/it")).resolve("private-home").toAbsolutePath();
        FileTrees.deleteRecursively(base);
        Path home = Files.createDirectories(base.resolve("root"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        checkout = home.resolve("llm-retriever");
        copyCheckout(Path.of(System.getProperty("llmretriever.repo.dir")), checkout);
    }

    @AfterClass
    public static void cleanup() throws IOException {
        if (base != null) {
            FileTrees.deleteRecursively(base);
        }
    }

    /**
     * The working tree's tracked files (what a clone of it holds, uncommitted edits included) plus the CLI this build
     * made, hard-linked, so the copy's {@code ./llm-retriever} runs without building again.
     */
    private static void copyCheckout(Path repo, Path to) throws Exception {
        Files.createDirectories(to);
        String files = run(repo, List.of("git", "ls-files", "-z"), 60).output();
        for (String f : files.split("\0")) {
            Path src = repo.resolve(f);
            if (f.isEmpty() || !Files.isRegularFile(src)) {
                continue;
            }
            Path dst = to.resolve(f);
            Files.createDirectories(dst.getParent());
            Files.copy(src, dst, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        for (String built : List.of("cli/target/classes", "cli/target/lib", "cli/target/data", "harness/target/dist")) {
            Path dst = to.resolve(built);
            Files.createDirectories(dst.getParent());
            Result r = run(repo, List.of("cp", "-al", repo.resolve(built).toString(), dst.toString()), 120);
            assertEquals(r.output(), 0, r.exitCode());
        }
        Files.writeString(to.resolve("cli/target/.cli-built"), "copied by PrivateHomeIT\n"); // newer than every source
    }

    @Test
    public void nodeStartsFromACheckoutTheNodeUserCannotEnter() throws Exception {
        Path stateRoot = base.resolve("state");
        List<String> env = List.of("env", "LLM_RETRIEVER_STATE_ROOT=" + stateRoot, "JAVA_HOME=" + System.getProperty("java.home"));
        List<String> start = new ArrayList<>(env);
        start.addAll(List.of(checkout.resolve("llm-retriever").toString(), "node", "start", "--port", "0", "--heap", "512m"));
        Result started = run(checkout, start, 600);
        try {
            assertEquals(started.output(), 0, started.exitCode());
            assertTrue(started.output(), started.output().contains("cannot enter " + checkout));
            Matcher url = Pattern.compile("http://127\\.0\\.0\\.1:\\d+").matcher(started.output());
            assertTrue(started.output(), url.find());
            LocalHttp.Response plugins = LocalHttp.get(url.group() + "/_cat/plugins?h=component&s=component", 10_000);
            assertEquals("llm-retriever\nopensearch-knn\n", plugins.body());
            assertFalse("no state may be kept in the private checkout", Files.exists(checkout.resolve(".llm-retriever")));
        } finally {
            List<String> stop = new ArrayList<>(env);
            stop.addAll(List.of(checkout.resolve("llm-retriever").toString(), "node", "stop"));
            Result stopped = run(checkout, stop, 120);
            assertEquals(stopped.output(), 0, stopped.exitCode());
        }
    }

    @Test
    public void theHarnessNamesTheDirectoryTheNodeUserCannotEnter() throws Exception {
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = checkout.resolveSibling("node-in-private-home");
        o.installCacheDir = Path.of(System.getProperty("llmretriever.install.cache"));
        IOException e = assertThrows(IOException.class, () -> LocalCluster.start(Distribution.fromSystemProperty(), o));
        assertTrue(e.getMessage(), e.getMessage().contains("cannot reach " + o.workDir));
        assertTrue(e.getMessage(), e.getMessage().contains(base.resolve("root") + " (mode rwx------, owner root)"));
        assertTrue(e.getMessage(), e.getMessage().contains("LLM_RETRIEVER_HOME"));
        assertFalse("the refused cluster's directory is removed", Files.exists(o.workDir));
    }

    private record Result(int exitCode, String output) {}

    private static Result run(Path dir, List<String> cmd, int timeoutSeconds) throws Exception {
        Path log = Files.createTempFile("private-home-it", ".log");
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s: " + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
