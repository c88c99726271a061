package org.llmretriever.node;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class JdkTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path fakeJdk(String version) throws Exception {
        Path home = tmp.newFolder().toPath();
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.createFile(home.resolve("bin/java"));
        assertTrue(java.toFile().setExecutable(true));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    @Test
    public void readsMajorVersionsOfOldAndNewSchemes() throws Exception {
        assertEquals(8, Jdk.majorVersion(fakeJdk("1.8.0_402")));
        assertEquals(17, Jdk.majorVersion(fakeJdk("17.0.15")));
        assertEquals(25, Jdk.majorVersion(fakeJdk("25.0.3")));
        assertEquals(21, Jdk.majorVersion(fakeJdk("21")));
    }

    @Test
    public void rejectsJdk17WithAMessageNamingTheRequirement() throws Exception {
        Path home = fakeJdk("17.0.15");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Jdk.of(home));
        assertTrue(e.getMessage(), e.getMessage().contains("needs JDK 21 or newer"));
        assertTrue(e.getMessage(), e.getMessage().contains("Java 17"));
    }

    @Test
    public void acceptsJdk21AndNewer() throws Exception {
        assertEquals(25, Jdk.of(fakeJdk("25.0.3")).major());
    }

    @Test
    public void rejectsADirectoryWithoutJava() throws Exception {
        Path home = tmp.newFolder().toPath();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Jdk.of(home));
        assertTrue(e.getMessage(), e.getMessage().contains("no java executable"));
    }
}
