package org.llmretriever.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Finds the JDK that runs OpenSearch nodes: {@code JAVA_HOME}, else the JDK running this JVM. Needs Java ≥ 21. */
public final class Jdk {
    /** Oldest Java major version OpenSearch 3.x runs on. */
    public static final int MIN_MAJOR = 21;

    private final Path home;
    private final int major;

    private Jdk(Path home, int major) {
        this.home = home;
        this.major = major;
    }

    /** The JDK's home directory. */
    public Path home() {
        return home;
    }

    /** Its major version, e.g. 25. */
    public int major() {
        return major;
    }

    /**
     * The system property {@code llmretriever.java.home} (set by the build for test JVMs), else {@code JAVA_HOME},
     * else this JVM's home; fails with a clear message below Java 21.
     */
    public static Jdk locate() {
        String prop = System.getProperty("llmretriever.java.home");
        String env = System.getenv("JAVA_HOME");
        Path home = prop != null && !prop.isBlank() ? Path.of(prop)
            : env != null && !env.isBlank() ? Path.of(env)
            : Path.of(System.getProperty("java.home"));
        return of(home);
    }

    /** Validates a given JDK home. */
    public static Jdk of(Path home) {
        if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
            throw new IllegalStateException("no java executable under " + home + " (check JAVA_HOME)");
        }
        int major = majorVersion(home);
        if (major < MIN_MAJOR) {
            throw new IllegalStateException(
                "OpenSearch 3.5 needs JDK " + MIN_MAJOR + " or newer, but " + home + " is Java " + major
                    + ". Set JAVA_HOME to a JDK >= " + MIN_MAJOR + " (e.g. /usr/lib/jvm/temurin-25-jdk-amd64).");
        }
        return new Jdk(home.toAbsolutePath(), major);
    }

    /** Reads {@code JAVA_VERSION} from the JDK's {@code release} file ("1.8.0_x" → 8, "17.0.15" → 17). */
    static int majorVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            throw new IllegalStateException("cannot tell the Java version of " + home + ": it has no 'release' file");
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(release)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + release + ": " + e.getMessage(), e);
        }
        String v = p.getProperty("JAVA_VERSION", "").replace("\"", "");
        if (v.isEmpty()) {
            throw new IllegalStateException(release + " names no JAVA_VERSION");
        }
        String[] parts = v.split("[._+-]");
        int first = Integer.parseInt(parts[0]);
        return first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first;
    }
}
