package org.llmretriever.encoder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.HubDownloader;
import org.llmretriever.encoder.model.RandomCheckpoints;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The hub client against a local server that behaves like huggingface.co's resolve endpoint (loopback only). */
public class HubDownloaderTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private HttpServer server;
    private Path repo;
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private volatile String advertisedSha;
    private final AtomicLong progressCalls = new AtomicLong();

    @Before
    public void serve() throws IOException {
        repo = RandomCheckpoints.write(tmp.newFolder("repo").toPath(), "qwen2", 9);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/org/tiny/resolve/main/", this::handle);
        server.start();
    }

    @After
    public void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String file = ex.getRequestURI().getPath().substring("/org/tiny/resolve/main/".length());
        Path f = repo.resolve(file);
        if (!Files.isRegularFile(f)) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] all = Files.readAllBytes(f);
        if (file.endsWith(".safetensors")) {
            ex.getResponseHeaders().add("X-Linked-Size", Long.toString(all.length));
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + (advertisedSha != null ? advertisedSha : sha(all)) + "\"");
        }
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Long.toString(all.length));
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        int status = 200;
        if (range != null) {
            ranges.add(file + ":" + range);
            from = Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
            status = 206;
        }
        ex.sendResponseHeaders(status, all.length - from);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(all, from, all.length - from);
        }
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HubDownloader client() {
        return new HubDownloader("http://127.0.0.1:" + server.getAddress().getPort(), tmp.getRoot().toPath().resolve("cache"), null,
            (f, done, total) -> progressCalls.incrementAndGet());
    }

    @Test
    public void downloadsAModelThatThenLoads() {
        Path dir = client().download("org/tiny", "main");
        assertTrue(Files.exists(dir.resolve(".complete")));
        assertTrue(progressCalls.get() > 0);
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults())) {
            assertEquals(32, m.embed(List.of("hello"), Kind.QUERY).vectors()[0].length);
        }
        // a second call is served from the cache
        server.stop(0);
        assertEquals(dir, client().download("org/tiny", "main"));
    }

    @Test
    public void resumesAPartialDownload() throws IOException {
        HubDownloader c = client();
        Path dir = c.cacheDir("org/tiny", "main");
        Files.createDirectories(dir);
        byte[] all = Files.readAllBytes(repo.resolve("model.safetensors"));
        Files.write(dir.resolve("model.safetensors.part"), java.util.Arrays.copyOf(all, all.length / 2));
        c.download("org/tiny", "main");
        assertEquals(List.of("model.safetensors:bytes=" + all.length / 2 + "-"), ranges);
        assertArrayEquals(all, Files.readAllBytes(dir.resolve("model.safetensors")));
    }

    @Test
    public void rejectsAFileWhoseSha256DoesNotMatch() {
        advertisedSha = "0".repeat(64);
        CheckpointException e = assertThrows(CheckpointException.class, () -> client().download("org/tiny", "main"));
        assertTrue(e.getMessage(), e.getMessage().contains("sha256"));
        Path dir = client().cacheDir("org/tiny", "main");
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
        assertFalse(Files.exists(dir.resolve("model.safetensors.part")));
    }

    @Test
    public void unreachableHubAndBadIdsAreClearErrors() {
        HubDownloader offline = new HubDownloader("http://127.0.0.1:1", tmp.getRoot().toPath().resolve("c2"), null, (f, d, t) -> {});
        CheckpointException e = assertThrows(CheckpointException.class, () -> offline.download("org/model", "main"));
        assertTrue(e.getMessage(), e.getMessage().contains("cannot download org/model") && e.getMessage().contains("without network access"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> offline.download("../etc", "main"));
        assertTrue(bad.getMessage().contains("not a Hugging Face repository id"));
    }
}
