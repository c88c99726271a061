package org.llmretriever.encoder;

import org.junit.Assume;

import java.nio.file.Files;
import java.nio.file.Path;

/** The read-only assets in {@code ../shared} (real models and datasets). Tests that need them skip without them. */
public final class SharedAssets {
    private SharedAssets() {}

    /** {@code ../shared/<relative>}, or skips the calling test with a message naming what is missing. */
    public static Path require(String relative) {
        String root = System.getProperty("llmretriever.shared.dir", "../shared");
        Path p = Path.of(root).resolve(relative).normalize();
        Assume.assumeTrue("skipped: " + p + " is missing (the shared assets directory ../shared is not present)", Files.exists(p));
        return p;
    }
}
