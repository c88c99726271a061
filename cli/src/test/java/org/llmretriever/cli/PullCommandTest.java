package org.llmretriever.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.model.RandomCheckpoints;
import picocli.CommandLine;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** {@code pull} against a loopback server shaped like the hub's resolve endpoint. */
public class PullCommandTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();
    private HttpServer server;
    private Path repo;
    private int requests;

    @Before
    public void serve() throws IOException {
        repo = RandomCheckpoints.write(tmp.newFolder("repo").toPath(), "llama", 3);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/org/tiny-llama/resolve/main/", this::handle);
        server.start();
    }

    @After
    public void stop() {
        server.stop(0);
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        requests++;
        Path f = repo.resolve(ex.getRequestURI().getPath().substring("/org/tiny-llama/resolve/main/".length()));
        if (!Files.isRegularFile(f)) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] body = Files.readAllBytes(f);
        ex.getResponseHeaders().add("Content-Length", Long.toString(body.length));
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
        } else {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private int pull(String... extra) {
        String endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
        String[] args = new String[extra.length + 5];
        args[0] = "org/tiny-llama";
        args[1] = "--endpoint=" + endpoint;
        args[2] = "--cache=" + tmp.getRoot().toPath().resolve("cache");
        args[3] = "--to=" + tmp.getRoot().toPath().resolve("models");
        args[4] = "--revision=main";
        System.arraycopy(extra, 0, args, 5, extra.length);
        return new CommandLine(new PullCommand()).execute(args);
    }

    @Test
    public void placesALoadableCheckpointUnderTheModelsDirectory() throws Exception {
        assertEquals(ExitCodes.OK, pull());
        Path placed = tmp.getRoot().toPath().resolve("models/tiny-llama");
        for (String f : new String[] { "config.json", "tokenizer.json", "model.safetensors" }) {
            assertArrayEquals(f, Files.readAllBytes(repo.resolve(f)), Files.readAllBytes(placed.resolve(f)));
        }
        assertFalse("cache markers stay in the cache", Files.exists(placed.resolve(".complete")));
        try (EncoderModel m = EncoderModel.load(placed, EncoderOptions.defaults())) {
            assertEquals(m.dimension(), m.embed(java.util.List.of("pulled"), Kind.PASSAGE).vectors()[0].length);
        }
    }

    @Test
    public void aSecondPullReusesTheCacheWithoutDownloading() {
        assertEquals(ExitCodes.OK, pull());
        int first = requests;
        assertTrue(first > 0);
        assertEquals(ExitCodes.OK, pull("--name=again"));
        assertEquals("complete downloads are not fetched again", first, requests);
        assertTrue(Files.isRegularFile(tmp.getRoot().toPath().resolve("models/again/model.safetensors")));
    }

    @Test
    public void badRepositoryIdsAndNamesAreUsageErrors() {
        String endpoint = "--endpoint=http://127.0.0.1:" + server.getAddress().getPort();
        assertEquals(ExitCodes.USAGE, new CommandLine(new PullCommand()).execute("no-slash", endpoint,
            "--cache=" + tmp.getRoot().toPath().resolve("cache")));
        assertEquals(ExitCodes.USAGE, pull("--name=../escape"));
        assertFalse(Files.exists(tmp.getRoot().toPath().resolve("escape")));
    }

    @Test
    public void anUnknownRepositoryFailsWithTheReason() {
        String endpoint = "--endpoint=http://127.0.0.1:" + server.getAddress().getPort();
        assertEquals(ExitCodes.FAILURE, new CommandLine(new PullCommand()).execute("org/missing", endpoint,
            "--cache=" + tmp.getRoot().toPath().resolve("cache"), "--to=" + tmp.getRoot().toPath().resolve("models")));
        assertFalse(Files.exists(tmp.getRoot().toPath().resolve("models/missing")));
    }
}
