package org.llmretriever.trainer.index;

import com.fasterxml.jackson.databind.JsonNode;
import org.llmretriever.trainer.client.SearchClient;
import org.llmretriever.trainer.corpus.CorpusSource;
import org.llmretriever.trainer.corpus.CorpusStats;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link HardNegativeMiner} over the OpenSearch index being adapted: a {@code multi_match} on its text fields. */
public final class IndexNegativeMiner implements HardNegativeMiner {
    private final SearchClient client;
    private final String index;
    private final List<String> fields;

    /** Searches {@code index}'s {@code fields}. */
    public IndexNegativeMiner(SearchClient client, String index, List<String> fields) {
        this.client = client;
        this.index = index;
        this.fields = List.copyOf(fields);
    }

    @Override
    public List<String> negatives(String queryText, String sourceId, int n) throws IOException {
        JsonNode r = client.post("/" + index + "/_search", Map.of(
            "size", n + 1,
            "_source", fields,
            "query", Map.of("multi_match", Map.of("query", queryText, "fields", fields))));
        List<String> out = new ArrayList<>();
        CorpusStats ignored = new CorpusStats();
        for (JsonNode h : r.path("hits").path("hits")) {
            if (out.size() == n) {
                break;
            }
            if (h.path("_id").asText().equals(sourceId)) {
                continue;
            }
            String text = CorpusSource.textOf(h.path("_source"), fields, ignored);
            if (text != null) {
                out.add(text);
            }
        }
        return out;
    }
}
