package org.llmretriever.trainer.client;

import com.sun.net.httpserver.HttpServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Status handling of the CLI's cluster client against a loopback server. */
public class SearchClientTest {
    private HttpServer server;
    private SearchClient client;

    @Before
    public void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            int status = switch (ex.getRequestURI().getPath()) {
                case "/present" -> 200;
                case "/broken" -> 500;
                default -> 404;
            };
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
        client = SearchClient.connect("http://127.0.0.1:" + server.getAddress().getPort(), null, null, false);
    }

    @After
    public void stop() throws IOException {
        client.close();
        server.stop(0);
    }

    @Test
    public void existsFollowsTheHeadStatus() throws IOException {
        assertTrue(client.exists("/present"));
        // the low-level REST client does not throw on a HEAD 404; exists must still say no
        assertFalse(client.exists("/missing"));
        SearchClient.HttpError e = assertThrows(SearchClient.HttpError.class, () -> client.exists("/broken"));
        assertEquals(500, e.status());
    }
}
