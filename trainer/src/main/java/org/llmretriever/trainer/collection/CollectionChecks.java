package org.llmretriever.trainer.collection;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The refusals every collection reader applies before anything is indexed or trained: a layout misread silently
 * (a TREC file taken as one document, topic ids that never match a qrel) otherwise produces a confident number
 * for nothing. Each message names the file and what was found.
 */
public final class CollectionChecks {
    /**
     * Default for the largest fraction of judged (query, document) pairs whose document is not in the collection.
     * A few missing documents happen in real collections (withdrawn or undistributed documents); more means the
     * qrels belong to another collection or the document ids were read wrongly.
     */
    public static final double DEFAULT_MAX_UNKNOWN_QRELS = 0.01;

    private CollectionChecks() {}

    /** Where a dataset came from, for messages. */
    public record Sources(String documents, String queries, String qrels) {}

    /** Fails if a collection or corpus has fewer than two documents; {@code detail} says what was read. */
    public static void requireDocuments(String source, long count, String firstId, String detail) throws InvalidCollectionException {
        if (count >= 2) {
            return;
        }
        throw new InvalidCollectionException(source + ": " + (count == 0 ? "no documents" : "only 1 document (id '" + firstId + "')")
            + (detail == null || detail.isEmpty() ? "" : " — " + detail)
            + "; retrieval needs at least 2. Is the layout right? (TREC: <DOC><DOCNO>id</DOCNO> … </DOC> records; "
            + "BEIR: corpus.jsonl; MS MARCO: collection.tsv with id<TAB>text)");
    }

    /**
     * All checks on a loaded dataset: at least two documents; every judged query has text; some judged query
     * remains; at most {@code maxUnknownQrels} of the judged pairs name documents the collection lacks (fewer
     * are reported on {@code warnings}).
     */
    public static void check(Dataset ds, Sources src, double maxUnknownQrels, PrintStream warnings) throws InvalidCollectionException {
        String first = ds.documents().isEmpty() ? null : ds.documents().keySet().iterator().next();
        requireDocuments(src.documents(), ds.documents().size(), first, null);
        if (ds.qrels().isEmpty()) {
            throw new InvalidCollectionException(src.qrels() + ": no judgments: nothing to evaluate");
        }
        List<String> textless = new ArrayList<>();
        for (String q : ds.qrels().keySet()) {
            String text = ds.queries().get(q);
            if (text == null || text.isBlank()) {
                textless.add(q);
            }
        }
        if (!textless.isEmpty()) {
            List<String> empty = textless.stream().filter(ds.queries()::containsKey).toList();
            throw new InvalidCollectionException(textless.size() + " of the " + ds.qrels().size() + " queries judged in " + src.qrels()
                + " have no text in " + src.queries() + " (" + (empty.isEmpty() ? "" : empty.size() + " with empty text, ")
                + "e.g. " + sample(textless) + "); it holds " + ds.queries().size() + (ds.queries().size() == 1 ? " query" : " queries")
                + (ds.queries().isEmpty() ? "" : " (e.g. " + sample(new ArrayList<>(ds.queries().keySet())) + ")"));
        }
        if (ds.judgedQueries().isEmpty()) {
            throw new InvalidCollectionException("no judged query remains: none of the " + ds.queries().size() + " queries in " + src.queries()
                + " is judged in " + src.qrels());
        }
        long pairs = 0;
        long unknown = 0;
        List<String> examples = new ArrayList<>();
        for (Map<String, Integer> judged : ds.qrels().values()) {
            for (String doc : judged.keySet()) {
                pairs++;
                if (!ds.documents().containsKey(doc)) {
                    unknown++;
                    if (examples.size() < 3) {
                        examples.add(doc);
                    }
                }
            }
        }
        if (unknown == 0) {
            return;
        }
        double fraction = (double) unknown / pairs;
        String msg = String.format(Locale.ROOT, "%s judges %,d (query, document) pairs whose document is not in %s (%.2f%% of %,d; e.g. %s)",
            src.qrels(), unknown, src.documents(), 100 * fraction, pairs, sample(examples));
        if (fraction > maxUnknownQrels) {
            throw new InvalidCollectionException(msg + String.format(Locale.ROOT, "; more than %.2f%% means the qrels do not belong to these documents "
                + "(raise --max-unknown-qrels to accept it)", 100 * maxUnknownQrels));
        }
        warnings.println("warning: " + msg + "; they count as not retrieved");
    }

    private static String sample(List<String> ids) {
        return "'" + String.join("', '", ids.subList(0, Math.min(5, ids.size()))) + "'" + (ids.size() > 5 ? ", …" : "");
    }
}
