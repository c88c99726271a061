package org.llmretriever.encoder.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One-time bootstrap of DJL's PyTorch engine.
 *
 * <p>Everything runs offline ({@code ai.djl.offline=true}): libtorch and the DJL JNI library come from the
 * {@code pytorch-native-*} and {@code pytorch-jni} jars on the classpath and are extracted once into a stable
 * cache directory (never a temp directory, so a node restart does not re-extract them). The directory is chosen
 * by {@link #configure}, else the system property {@value #CACHE_DIR_PROPERTY}, else the environment variable
 * {@value #CACHE_DIR_ENV}, else {@code ~/.cache/llm-retriever/native}.
 */
public final class TorchRuntime {
    /** System property naming the native cache directory. */
    public static final String CACHE_DIR_PROPERTY = "llmretriever.native.cache";
    /** Environment variable naming the native cache directory. */
    public static final String CACHE_DIR_ENV = "LLM_RETRIEVER_NATIVE_CACHE";
    /** DJL's name of the engine we use. */
    public static final String ENGINE_NAME = "PyTorch";

    private static Path configuredCacheDir;
    private static int configuredThreads;
    private static volatile Engine engine;

    private TorchRuntime() {}

    /**
     * Chooses the native cache directory and the number of intra-op threads (0 = libtorch's default). Must be
     * called before the first {@link #engine()} to have an effect; later calls with other values fail loudly
     * rather than being silently ignored.
     */
    public static synchronized void configure(Path cacheDir, int intraOpThreads) {
        if (engine != null) {
            if (cacheDir != null && !cacheDir.toAbsolutePath().equals(configuredCacheDir)) {
                throw new IllegalStateException(
                    "libtorch is already loaded from " + configuredCacheDir + "; cannot switch to " + cacheDir);
            }
            if (intraOpThreads > 0 && intraOpThreads != JniUtils.getNumThreads()) {
                JniUtils.setNumThreads(intraOpThreads);
            }
            return;
        }
        configuredCacheDir = cacheDir == null ? null : cacheDir.toAbsolutePath();
        configuredThreads = intraOpThreads;
    }

    /** The PyTorch engine, loading libtorch on first use. */
    public static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (TorchRuntime.class) {
                e = engine;
                if (e == null) {
                    e = load();
                    engine = e;
                }
            }
        }
        return e;
    }

    /** Whether libtorch has been loaded in this JVM. */
    public static boolean isLoaded() {
        return engine != null;
    }

    /** The directory libtorch is (or will be) extracted to. */
    public static synchronized Path cacheDir() {
        if (configuredCacheDir != null) {
            return configuredCacheDir;
        }
        String prop = System.getProperty(CACHE_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        String env = System.getenv(CACHE_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), ".cache", "llm-retriever", "native").toAbsolutePath();
    }

    private static Engine load() {
        prepareProperties();
        return Engine.getEngine(ENGINE_NAME);
    }

    /**
     * Sets DJL's system properties (offline, cache directory, no telemetry) once. Called before libtorch or the
     * tokenizers native library is first loaded.
     */
    public static synchronized void prepareProperties() {
        Path dir = cacheDir();
        try {
            Files.createDirectories(dir);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot create the native cache directory " + dir, ex);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalStateException("the native cache directory " + dir + " is not writable");
        }
        // Nothing may be downloaded at run time: the natives come from jars on the classpath.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ENGINE_CACHE_DIR", dir.toString());
        System.setProperty("DJL_CACHE_DIR", dir.toString());
        // The graph optimizer only matters for TorchScript, which we do not use.
        System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        if (configuredThreads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(configuredThreads));
        }
        configuredCacheDir = dir;
    }

    /** What is loaded: engine name and version, libtorch threads and the devices it can use. */
    public static RuntimeInfo info() {
        Engine e = engine();
        List<String> devices = new ArrayList<>();
        for (Device d : e.getDevices()) {
            devices.add(d.toString());
        }
        return new RuntimeInfo(e.getEngineName(), e.getVersion(), JniUtils.getNumThreads(), devices, cacheDir().toString());
    }

    /**
     * A snapshot of the loaded runtime.
     *
     * @param engine engine name (PyTorch)
     * @param version libtorch version
     * @param intraOpThreads libtorch intra-op threads
     * @param devices devices, e.g. {@code cpu()}, {@code gpu(0)}
     * @param cacheDir where the natives live
     */
    public record RuntimeInfo(String engine, String version, int intraOpThreads, List<String> devices, String cacheDir) {}
}
