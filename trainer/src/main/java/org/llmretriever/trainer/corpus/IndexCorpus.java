package org.llmretriever.trainer.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.llmretriever.trainer.client.SearchClient;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Documents of an OpenSearch index, read consistently with a point in time and {@code search_after} (so
 * concurrent writes do not shift pages), only the configured fields fetched.
 */
public final class IndexCorpus implements CorpusSource {
    private static final int PAGE = 500;
    private final SearchClient client;
    private final String index;
    private final List<String> fields;
    private final CorpusStats stats = new CorpusStats();

    /** Reads {@code index} through {@code client}. */
    public IndexCorpus(SearchClient client, String index, List<String> fields) {
        this.client = client;
        this.index = index;
        this.fields = List.copyOf(fields);
    }

    @Override
    public void read(Consumer<Document> sink) throws IOException {
        JsonNode pit = client.post("/" + index + "/_search/point_in_time?keep_alive=5m", null);
        String pitId = pit.path("pit_id").asText(null);
        if (pitId == null) {
            throw new IOException("could not open a point in time on index " + index + ": " + pit);
        }
        try {
            JsonNode after = null;
            while (true) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("size", PAGE);
                body.put("_source", fields);
                body.put("pit", Map.of("id", pitId, "keep_alive", "5m"));
                body.put("sort", List.of(Map.of("_shard_doc", "asc")));
                if (after != null) {
                    body.put("search_after", after);
                }
                JsonNode r = client.post("/_search", body);
                ArrayNode hits = (ArrayNode) r.path("hits").path("hits");
                if (hits.isEmpty()) {
                    return;
                }
                for (JsonNode h : hits) {
                    stats.read.incrementAndGet();
                    String text = CorpusSource.textOf(h.path("_source"), fields, stats);
                    if (text != null) {
                        sink.accept(new Document(h.path("_id").asText(), text));
                    }
                }
                after = hits.get(hits.size() - 1).path("sort");
                if (r.hasNonNull("pit_id")) {
                    pitId = r.get("pit_id").asText();
                }
            }
        } finally {
            try {
                client.request("DELETE", "/_search/point_in_time", Map.of("pit_id", List.of(pitId)));
            } catch (IOException ignored) {
                // the PIT expires on its own
            }
        }
    }

    @Override
    public CorpusStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return "index " + index + " at " + client.url() + " (fields " + String.join(",", fields) + ")";
    }
}
