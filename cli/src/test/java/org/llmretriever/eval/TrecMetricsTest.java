package org.llmretriever.eval;

import org.junit.Test;
import org.llmretriever.trainer.collection.Dataset;

import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;

/** The metrics against hand-computed values, with trec_eval's conventions. */
public class TrecMetricsTest {
    private static final double LOG2_3 = Math.log(3) / Math.log(2);
    private static final double LOG2_5 = Math.log(5) / Math.log(2);

    @Test
    public void gradedExample() {
        Map<String, Integer> qrels = Map.of("d1", 2, "d2", 1, "d3", 0);
        List<String> ranking = List.of("d3", "d1", "d4", "d2");
        double dcg = 2 / LOG2_3 + 1 / LOG2_5;          // d1 at rank 2 (gain 2), d2 at rank 4 (gain 1); d3 and unjudged d4 gain 0
        double idcg = 2 + 1 / LOG2_3;
        assertEquals(dcg / idcg, TrecMetrics.ndcg(ranking, qrels, 10), 1e-12);
        assertEquals(2 / LOG2_3 / idcg, TrecMetrics.ndcg(ranking, qrels, 3), 1e-12);
        assertEquals(1.0, TrecMetrics.recall(ranking, qrels, 100), 1e-12);
        assertEquals(0.5, TrecMetrics.recall(ranking, qrels, 2), 1e-12);
        assertEquals(0.5, TrecMetrics.mrr(ranking, qrels, 10), 1e-12);
        assertEquals(0.0, TrecMetrics.mrr(ranking, qrels, 1), 1e-12);
        assertEquals((1.0 / 2 + 2.0 / 4) / 2, TrecMetrics.averagePrecision(ranking, qrels), 1e-12);
    }

    @Test
    public void relevantDocumentsNotRetrievedCountInRecallAndMap() {
        Map<String, Integer> qrels = Map.of("a", 1, "b", 1, "c", 1, "d", 1);
        List<String> ranking = List.of("a", "x", "b");
        assertEquals(0.5, TrecMetrics.recall(ranking, qrels, 100), 1e-12);
        assertEquals((1.0 + 2.0 / 3) / 4, TrecMetrics.averagePrecision(ranking, qrels), 1e-12);
        double idcg = 1 + 1 / LOG2_3 + 1.0 / 2 + 1 / LOG2_5;
        assertEquals((1 + 1.0 / 2) / idcg, TrecMetrics.ndcg(ranking, qrels, 10), 1e-12);
    }

    @Test
    public void tiesAreBrokenByDocumentIdDescendingLikeTrecEval() {
        List<TrecMetrics.Hit> hits = List.of(new TrecMetrics.Hit("a", 1.0), new TrecMetrics.Hit("c", 0.5), new TrecMetrics.Hit("b", 1.0));
        assertEquals(List.of("b", "a", "c"), TrecMetrics.ranking(hits));
        Map<String, Integer> qrels = Map.of("a", 1);
        assertEquals(0.5, TrecMetrics.mrr(TrecMetrics.ranking(hits), qrels, 10), 1e-12);
    }

    @Test
    public void queriesWithoutRelevantDocumentsOrResultsScoreZero() {
        Map<String, Integer> onlyNonRelevant = Map.of("a", 0);
        assertEquals(0, TrecMetrics.ndcg(List.of("a"), onlyNonRelevant, 10), 0);
        assertEquals(0, TrecMetrics.recall(List.of("a"), onlyNonRelevant, 10), 0);
        assertEquals(0, TrecMetrics.averagePrecision(List.of("a"), onlyNonRelevant), 0);
        assertEquals(0, TrecMetrics.ndcg(List.of(), Map.of("a", 2), 10), 0);
    }

    @Test
    public void reportAveragesOverJudgedQueriesOnly() {
        Dataset ds = new Dataset("t", Map.of(), Map.of("q1", "x", "q2", "y", "q3", "unjudged"),
            Map.of("q1", Map.of("d1", 1), "q2", Map.of("d2", 1)));
        EvalReport r = new EvalReport("t", "m");
        r.add("bm25", ds, Map.of("q1", List.of(new TrecMetrics.Hit("d1", 3)), "q3", List.of(new TrecMetrics.Hit("d9", 1))));
        // q1 perfect, q2 has no results (0), q3 is not judged and does not count
        assertEquals(0.5, r.mean("bm25", "ndcg@10"), 1e-12);
        assertEquals(0.5, r.mean("bm25", "mrr@10"), 1e-12);
    }

    @Test
    public void negativeGradesAreNotRelevant() {
        Map<String, Integer> judged = Map.of("a", -1, "b", 1);
        assertEquals(0.5, TrecMetrics.mrr(List.of("a", "b"), judged, 10), 1e-9);
        assertEquals(1.0, TrecMetrics.recall(List.of("a", "b"), judged, 10), 1e-9);
    }
}
