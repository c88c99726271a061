package org.llmretriever.plugin.model;

import org.opensearch.test.OpenSearchTestCase;

import java.nio.file.Files;
import java.nio.file.Path;

/** User paths never leave the models directory: not by '..', absolute paths, or symbolic links. */
@org.apache.lucene.tests.util.LuceneTestCase.SuppressFileSystems("*") // real symlinks and the JDK's own Path type
public class ModelPathsTests extends OpenSearchTestCase {
    public void testConfinement() throws Exception {
        Path base = createTempDir();
        Path root = Files.createDirectories(base.resolve("models"));
        Files.createDirectories(root.resolve("good/sub"));
        Path outside = Files.createDirectories(base.resolve("secret"));
        Files.createSymbolicLink(root.resolve("link-out"), outside);
        Files.createSymbolicLink(root.resolve("link-in"), root.resolve("good"));
        Files.writeString(root.resolve("file.txt"), "x");
        ModelPaths paths = new ModelPaths(root);

        assertEquals(root.resolve("good").toRealPath(), paths.resolve("good", "path"));
        assertEquals(root.resolve("good/sub").toRealPath(), paths.resolve(root.resolve("good/sub").toString(), "path"));
        assertEquals(root.resolve("good").toRealPath(), paths.resolve("link-in", "path"));

        assertTrue(expectThrows(IllegalArgumentException.class, () -> paths.resolve("good/../../secret", "path")).getMessage()
            .contains("must not contain '..'"));
        assertTrue(expectThrows(IllegalArgumentException.class, () -> paths.resolve(outside.toString(), "path")).getMessage()
            .contains("is outside plugins.llm_retriever.models_path"));
        assertTrue(expectThrows(IllegalArgumentException.class, () -> paths.resolve("link-out", "adapter")).getMessage()
            .startsWith("[adapter] 'link-out' leads through a symbolic link to"));
        assertTrue(expectThrows(IllegalArgumentException.class, () -> paths.resolve("missing", "path")).getMessage()
            .contains("does not exist"));
        assertTrue(expectThrows(IllegalArgumentException.class, () -> paths.resolve("file.txt", "path")).getMessage()
            .contains("is not a directory"));
        assertTrue(expectThrows(IllegalArgumentException.class, () -> paths.resolve(" ", "path")).getMessage()
            .contains("[path] is required"));
    }
}
