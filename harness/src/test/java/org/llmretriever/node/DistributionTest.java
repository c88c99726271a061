package org.llmretriever.node;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The installation cache keeps what may still be in use and deletes the rest. */
public class DistributionTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static Path install(Path root, String key, long usedHoursAgo) throws Exception {
        Path home = Files.createDirectories(root.resolve("opensearch-" + key));
        Files.writeString(home.resolve(".installed"), "x\n");
        Files.createDirectories(home.resolve("lib"));
        long t = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(usedHoursAgo);
        Files.setLastModifiedTime(home.resolve(".installed"), FileTime.fromMillis(t));
        return home;
    }

    @Test
    public void pruneKeepsTheNewestAndTheRecentlyUsed() throws Exception {
        Path root = tmp.newFolder("install").toPath();
        Path current = install(root, "current", 0);
        Path newest = install(root, "a", 5);
        Path second = install(root, "b", 6);
        Path old = install(root, "c", 7);
        Path older = install(root, "d", 8);
        Path inUse = install(root, "e", 0); // used a moment ago: a node may run from it
        Path partial = Files.createDirectories(root.resolve("opensearch-partial")); // no .installed marker
        Path staging = Files.createDirectories(root.resolve("staging-123"));

        Distribution.pruneStale(root, current);

        // inUse and newest are the two most recently used besides current; second and older are stale
        assertTrue(Files.isDirectory(current));
        assertTrue(Files.isDirectory(inUse));
        assertTrue(Files.isDirectory(newest));
        assertTrue(!Files.exists(second) && !Files.exists(old) && !Files.exists(older));
        assertTrue("incomplete installs are not touched", Files.isDirectory(partial));
        assertTrue(Files.isDirectory(staging));
        try (var s = Files.list(root)) {
            assertEquals(5, s.count());
        }
    }
}
