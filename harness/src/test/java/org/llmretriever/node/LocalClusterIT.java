package org.llmretriever.node;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.llmretriever.encoder.files.FileTrees;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The harness against the real distribution: start, port conflicts, failure reporting, cleanup. */
public class LocalClusterIT {
    private static Path base;

    @BeforeClass
    public static void dirs() throws IOException {
        base = Path.of(System.getProperty("llmretriever.it.dir", "target/harness-it"));
        Files.createDirectories(base);
    }

    @AfterClass
    public static void cleanup() throws IOException {
        FileTrees.deleteRecursively(base.resolve("work"));
    }

    private static LocalCluster.Options options(String name) {
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = base.resolve("work").resolve(name);
        o.installCacheDir = Path.of(System.getProperty("llmretriever.install.cache"));
        o.clusterName = name;
        return o;
    }

    @Test
    public void startsOnAnotherPortWhenTheWantedOneIsTakenAndCleansUp() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            LocalCluster.Options o = options("port-conflict");
            o.httpPort = busy.getLocalPort();
            long pid;
            int port;
            try (LocalCluster c = LocalCluster.start(Distribution.fromSystemProperty(), o)) {
                port = c.nodes().get(0).httpPort();
                assertNotEquals(busy.getLocalPort(), port);
                LocalHttp.Response plugins = LocalHttp.get(c.url() + "/_cat/plugins?h=component&s=component", 10_000);
                assertEquals(200, plugins.status());
                assertEquals("llm-retriever\nopensearch-knn\n", plugins.body());
                pid = c.nodes().get(0).process().orElseThrow().pid();
                if (LocalCluster.isRoot()) {
                    // OpenSearch refuses root: the harness runs it as nobody.
                    Object uid = Files.getAttribute(Path.of("/proc/" + pid), "unix:uid");
                    assertEquals(LocalCluster.UNPRIVILEGED_ID, uid);
                }
            }
            assertFalse("node process must be gone", ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertTrue("http port must be released", Ports.isFree(port));
            assertFalse("ephemeral cluster dir must be deleted", Files.exists(o.workDir));
        }
    }

    @Test
    public void aNodeThatCannotStartReportsItsLogTail() throws Exception {
        LocalCluster.Options o = options("bad-setting");
        o.settings.put("no.such.setting", "x");
        IOException e = assertThrows(IOException.class, () -> LocalCluster.start(Distribution.fromSystemProperty(), o));
        assertTrue(e.getMessage(), e.getMessage().contains("exited with code"));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown setting [no.such.setting]"));
        assertFalse("failed cluster dir must be deleted", Files.exists(o.workDir));
    }
}
