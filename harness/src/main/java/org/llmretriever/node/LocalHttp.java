package org.llmretriever.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Minimal blocking HTTP for the harness's own probes (health, plugin check). It opens one connection per call
 * and closes it, so it leaves no client threads behind in test JVMs; real clients use the OpenSearch client.
 */
public final class LocalHttp {
    private LocalHttp() {}

    /** Status code and body of a response. */
    public record Response(int status, String body) {}

    /** {@code GET url}. Connection errors surface as IOException. */
    public static Response get(String url, int timeoutMillis) throws IOException {
        return send("GET", url, null, timeoutMillis);
    }

    /** Sends a request with an optional JSON body. */
    public static Response send(String method, String url, String jsonBody, int timeoutMillis) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            c.setRequestMethod(method);
            c.setConnectTimeout(timeoutMillis);
            c.setReadTimeout(timeoutMillis);
            c.setRequestProperty("Connection", "close");
            if (jsonBody != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(jsonBody.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, body);
        } finally {
            c.disconnect();
        }
    }
}
