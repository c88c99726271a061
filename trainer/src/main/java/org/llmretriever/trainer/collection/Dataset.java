package org.llmretriever.trainer.collection;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A retrieval test collection: documents, queries and graded relevance judgments.
 *
 * @param name short name (for index names and reports)
 * @param documents id → (title, text)
 * @param queries query id → text
 * @param qrels query id → (document id → grade)
 */
public record Dataset(String name, Map<String, Doc> documents, Map<String, String> queries, Map<String, Map<String, Integer>> qrels) {
    /** A document. */
    public record Doc(String title, String text) {
        /** Title and text as one field. */
        public String contents() {
            return title == null || title.isBlank() ? text : title + "\n\n" + text;
        }
    }

    /** Queries that have judgments, in a stable order. */
    public List<String> judgedQueries() {
        return queries.keySet().stream().filter(qrels::containsKey).toList();
    }

    /** The first {@code n} judged queries (all if n <= 0). */
    public Dataset limitQueries(int n) {
        if (n <= 0) {
            return this;
        }
        Map<String, String> q = new LinkedHashMap<>();
        for (String id : judgedQueries()) {
            if (q.size() == n) {
                break;
            }
            q.put(id, queries.get(id));
        }
        return new Dataset(name, documents, q, qrels);
    }
}
