package org.llmretriever.trainer.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.ssl.SSLContextBuilder;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.client.RestClient;

import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * JSON over the OpenSearch low-level REST client: the CLI's one way to talk to a cluster (local node or remote,
 * optionally with basic auth and TLS). Errors carry the HTTP status and OpenSearch's reason.
 */
public final class SearchClient implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RestClient client;
    private final String url;

    private SearchClient(RestClient client, String url) {
        this.client = client;
        this.url = url;
    }

    /** Connects to {@code url} (http or https); {@code user}/{@code password} optional; {@code insecure} skips TLS checks. */
    public static SearchClient connect(String url, String user, String password, boolean insecure) {
        URI u = URI.create(url);
        HttpHost host = new HttpHost(u.getScheme(), u.getHost(), u.getPort() > 0 ? u.getPort() : 9200);
        var builder = RestClient.builder(host).setRequestConfigCallback(c -> c.setResponseTimeout(
            org.apache.hc.core5.util.Timeout.ofMinutes(10)));
        builder.setHttpClientConfigCallback(http -> {
            if (user != null) {
                BasicCredentialsProvider creds = new BasicCredentialsProvider();
                creds.setCredentials(new AuthScope(host), new UsernamePasswordCredentials(user, password == null ? new char[0] : password.toCharArray()));
                http.setDefaultCredentialsProvider(creds);
            }
            if (insecure && "https".equals(u.getScheme())) {
                try {
                    var tls = ClientTlsStrategyBuilder.create()
                        .setSslContext(SSLContextBuilder.create().loadTrustMaterial(null, (chain, type) -> true).build())
                        .setHostnameVerifier(NoopHostnameVerifier.INSTANCE).build();
                    http.setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create().setTlsStrategy(tls).build());
                } catch (Exception e) {
                    throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
                }
            }
            return http;
        });
        return new SearchClient(builder.build(), url);
    }

    /** The cluster URL. */
    public String url() {
        return url;
    }

    /** An OpenSearch error response. */
    public static final class HttpError extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        HttpError(String message, int status) {
            super(message);
            this.status = status;
        }

        /** HTTP status. */
        public int status() {
            return status;
        }
    }

    /** Sends a request with an optional body (JsonNode, Map or raw string) and parses the JSON answer. */
    public JsonNode request(String method, String path, Object body) throws IOException {
        Request r = new Request(method, path);
        if (body != null) {
            String text = body instanceof String s ? s : JSON.writeValueAsString(body);
            r.setJsonEntity(text);
        }
        try {
            Response resp = client.performRequest(r);
            String text = resp.getEntity() == null ? "" : EntityUtils.toString(resp.getEntity(), StandardCharsets.UTF_8);
            return text.isEmpty() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            String text;
            try {
                text = EntityUtils.toString(e.getResponse().getEntity(), StandardCharsets.UTF_8);
            } catch (Exception ignored) {
                text = "";
            }
            String reason = text;
            try {
                JsonNode err = JSON.readTree(text).path("error");
                reason = err.isTextual() ? err.asText() : err.path("reason").asText(text);
            } catch (IOException ignored) {
                // keep the raw text
            }
            throw new HttpError(method + " " + path + " failed with HTTP " + status + ": " + reason, status);
        } catch (org.apache.hc.core5.http.ParseException e) {
            throw new IOException(e);
        }
    }

    public JsonNode get(String path) throws IOException {
        return request("GET", path, null);
    }

    public JsonNode put(String path, Object body) throws IOException {
        return request("PUT", path, body);
    }

    public JsonNode post(String path, Object body) throws IOException {
        return request("POST", path, body);
    }

    public JsonNode delete(String path) throws IOException {
        return request("DELETE", path, null);
    }

    /** Whether {@code path} exists ({@code HEAD}: 200 → true, 404 → false, anything else an error). */
    public boolean exists(String path) throws IOException {
        try {
            // The low-level client answers a HEAD 404 as a normal response, not a ResponseException.
            return client.performRequest(new Request("HEAD", path)).getStatusLine().getStatusCode() == 200;
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return false;
            }
            throw new HttpError("HEAD " + path + " failed with HTTP " + e.getResponse().getStatusLine().getStatusCode(),
                e.getResponse().getStatusLine().getStatusCode());
        }
    }

    /**
     * Sends one {@code _bulk} request of index actions (documents as maps, with optional ids) and returns the
     * response (check {@code errors} and {@code items}).
     */
    public JsonNode bulkIndex(String index, List<? extends Map<String, ?>> docs, List<String> ids, String pipeline, boolean refresh)
        throws IOException {
        StringBuilder nd = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            nd.append("{\"index\":{\"_index\":").append(JSON.writeValueAsString(index));
            if (ids != null) {
                nd.append(",\"_id\":").append(JSON.writeValueAsString(ids.get(i)));
            }
            nd.append("}}\n").append(JSON.writeValueAsString(docs.get(i))).append('\n');
        }
        Request r = new Request("POST", "/_bulk");
        if (pipeline != null) {
            r.addParameter("pipeline", pipeline);
        }
        if (refresh) {
            r.addParameter("refresh", "true");
        }
        r.setEntity(new org.apache.hc.core5.http.io.entity.StringEntity(nd.toString(),
            org.apache.hc.core5.http.ContentType.create("application/x-ndjson", StandardCharsets.UTF_8)));
        try {
            Response resp = client.performRequest(r);
            return JSON.readTree(EntityUtils.toString(resp.getEntity(), StandardCharsets.UTF_8));
        } catch (ResponseException e) {
            throw new HttpError("bulk into " + index + " failed with HTTP " + e.getResponse().getStatusLine().getStatusCode() + ": "
                + e.getMessage(), e.getResponse().getStatusLine().getStatusCode());
        } catch (org.apache.hc.core5.http.ParseException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
