package org.llmretriever.encoder.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Downloads a model repository from the Hugging Face hub into a local cache: config, tokenizer files and
 * safetensors weights (single or sharded). Downloads resume from {@code .part} files (HTTP Range), sizes are
 * checked against the hub's {@code X-Linked-Size}/{@code Content-Length} and LFS files against their sha256
 * ({@code X-Linked-Etag}). A repository downloaded completely is reused without network access. The endpoint
 * follows {@code HF_ENDPOINT} and the token {@code HF_TOKEN}, like huggingface_hub.
 */
public final class HubDownloader {
    private static final Logger LOG = LoggerFactory.getLogger(HubDownloader.class);
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OPTIONAL = List.of("tokenizer_config.json", "generation_config.json", "special_tokens_map.json");

    /** Progress of one file. */
    public interface Listener {
        /** Called as bytes arrive; total is -1 when unknown. */
        void progress(String file, long done, long total);
    }

    private final String endpoint;
    private final Path cacheRoot;
    private final String token;
    private final Listener listener;
    private final HttpClient http;

    /** Endpoint from {@code HF_ENDPOINT} (default huggingface.co), cache {@code ~/.cache/llm-retriever/hub}. */
    public HubDownloader() {
        this(defaultEndpoint(), defaultCacheRoot(), System.getenv("HF_TOKEN"), logEveryTenth());
    }

    /** {@code HF_ENDPOINT}, else https://huggingface.co. */
    public static String defaultEndpoint() {
        return Optional.ofNullable(System.getenv("HF_ENDPOINT")).orElse("https://huggingface.co");
    }

    /** {@code LLM_RETRIEVER_HUB_CACHE}, else {@code ~/.cache/llm-retriever/hub}. */
    public static Path defaultCacheRoot() {
        return Optional.ofNullable(System.getenv("LLM_RETRIEVER_HUB_CACHE")).map(Path::of)
            .orElse(Path.of(System.getProperty("user.home"), ".cache", "llm-retriever", "hub"));
    }

    /** Explicit endpoint, cache directory, optional token and listener. */
    public HubDownloader(String endpoint, Path cacheRoot, String token, Listener listener) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.cacheRoot = cacheRoot;
        this.token = token;
        this.listener = listener;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(15)).build();
    }

    private static Listener logEveryTenth() {
        return new Listener() {
            private String file;
            private long lastDecile = -1;

            @Override
            public void progress(String f, long done, long total) {
                if (!f.equals(file)) {
                    file = f;
                    lastDecile = -1;
                }
                long decile = total > 0 ? done * 10 / total : -1;
                if (decile != lastDecile) {
                    lastDecile = decile;
                    LOG.info("downloading {}: {} / {} bytes", f, done, total);
                }
            }
        };
    }

    /** The directory a repository/revision lands in. */
    public Path cacheDir(String repoId, String revision) {
        return cacheRoot.resolve(repoId.replace("/", "--")).resolve(revision);
    }

    /** Downloads (or reuses) {@code repoId} at {@code revision} and returns the local model directory. */
    public Path download(String repoId, String revision) {
        if (!REPO_ID.matcher(repoId).matches()) {
            throw new IllegalArgumentException("'" + repoId + "' is not a Hugging Face repository id of the form org/name");
        }
        Path dir = cacheDir(repoId, revision);
        if (Files.isRegularFile(dir.resolve(".complete"))) {
            return dir;
        }
        try {
            Files.createDirectories(dir);
            Set<String> files = new LinkedHashSet<>(List.of("config.json", "tokenizer.json"));
            for (String f : OPTIONAL) {
                if (exists(repoId, revision, f)) {
                    files.add(f);
                }
            }
            for (String f : files) {
                fetch(repoId, revision, f, dir);
            }
            if (exists(repoId, revision, Checkpoint.INDEX_FILE)) {
                fetch(repoId, revision, Checkpoint.INDEX_FILE, dir);
                JsonNode wm = JSON.readTree(dir.resolve(Checkpoint.INDEX_FILE).toFile()).path("weight_map");
                Set<String> shards = new LinkedHashSet<>();
                wm.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
                for (String s : shards) {
                    fetch(repoId, revision, s, dir);
                }
            } else {
                fetch(repoId, revision, Checkpoint.SINGLE_FILE, dir);
            }
            Files.writeString(dir.resolve(".complete"), String.join("\n", files) + "\n");
            return dir;
        } catch (IOException e) {
            throw new CheckpointException("cannot download " + repoId + " from " + endpoint + " (" + e.getMessage()
                + "); without network access, download the model elsewhere and point to its directory", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("download of " + repoId + " interrupted", e);
        }
    }

    private URI url(String repoId, String revision, String file) {
        return URI.create(endpoint + "/" + repoId + "/resolve/" + revision + "/" + file);
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10));
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private boolean exists(String repoId, String revision, String file) throws IOException, InterruptedException {
        HttpResponse<Void> r = http.send(request(url(repoId, revision, file)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new IOException("HTTP " + r.statusCode() + " for " + file + ": the repository is gated or private; set HF_TOKEN");
        }
        return r.statusCode() == 200;
    }

    /** Downloads one file with resume, size and sha256 checks. */
    void fetch(String repoId, String revision, String file, Path dir) throws IOException, InterruptedException {
        Path target = dir.resolve(file);
        if (Files.isRegularFile(target)) {
            return;
        }
        URI uri = url(repoId, revision, file);
        HttpClient noRedirect = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(15)).build();
        HttpResponse<Void> head = noRedirect.send(request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.discarding());
        if (head.statusCode() == 404) {
            throw new IOException(file + " not found in " + repoId + "@" + revision);
        }
        long size = head.headers().firstValueAsLong("x-linked-size")
            .orElse(head.statusCode() == 200 ? head.headers().firstValueAsLong("content-length").orElse(-1) : -1);
        String sha = head.headers().firstValue("x-linked-etag").map(HubDownloader::unquote)
            .filter(e -> SHA256.matcher(e).matches()).orElse(null);
        Path part = dir.resolve(file + ".part");
        long have = Files.isRegularFile(part) ? Files.size(part) : 0;
        if (size >= 0 && have > size) {
            Files.delete(part);
            have = 0;
        }
        HttpRequest.Builder get = request(uri).GET();
        if (have > 0) {
            get.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> r = http.send(get.build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200 && r.statusCode() != 206) {
            r.body().close();
            throw new IOException("HTTP " + r.statusCode() + " downloading " + file);
        }
        boolean append = r.statusCode() == 206;
        long done = append ? have : 0;
        try (InputStream in = r.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                 append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                done += n;
                listener.progress(file, done, size);
            }
        }
        long got = Files.size(part);
        if (size >= 0 && got != size) {
            throw new IOException(file + " is incomplete: " + got + " of " + size + " bytes (run again to resume)");
        }
        if (sha != null) {
            String actual = sha256(part);
            if (!actual.equals(sha)) {
                Files.delete(part);
                throw new IOException(file + " failed its sha256 check (expected " + sha + ", got " + actual + "); the partial file was removed");
            }
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String unquote(String s) {
        String v = s.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        return v.replace("\"", "").toLowerCase(Locale.ROOT);
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
