package org.llmretriever.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Ranking metrics with trec_eval's definitions (as pytrec_eval and BEIR use them): graded relevance, linear gain
 * for nDCG, relevant means grade > 0, unjudged documents are non-relevant, and ties in score are broken by
 * document id in decreasing order.
 */
public final class TrecMetrics {
    private TrecMetrics() {}

    /** A retrieved document and its score. */
    public record Hit(String doc, double score) {}

    /** The ranking trec_eval evaluates: score descending, then document id descending. */
    public static List<String> ranking(List<Hit> hits) {
        List<Hit> sorted = new ArrayList<>(hits);
        sorted.sort(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::doc, Comparator.reverseOrder()));
        return sorted.stream().map(Hit::doc).toList();
    }

    private static int grade(Map<String, Integer> qrels, String doc) {
        Integer g = qrels.get(doc);
        return g == null ? 0 : g;
    }

    private static long relevantCount(Map<String, Integer> qrels) {
        return qrels.values().stream().filter(g -> g > 0).count();
    }

    /** nDCG@k with gain = grade and discount log2(rank + 1). */
    public static double ndcg(List<String> ranking, Map<String, Integer> qrels, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            int g = grade(qrels, ranking.get(i));
            if (g > 0) {
                dcg += g / (Math.log(i + 2) / Math.log(2));
            }
        }
        List<Integer> ideal = qrels.values().stream().filter(g -> g > 0).sorted(Comparator.reverseOrder()).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / (Math.log(i + 2) / Math.log(2));
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /** Fraction of the relevant documents found in the top k. */
    public static double recall(List<String> ranking, Map<String, Integer> qrels, int k) {
        long rel = relevantCount(qrels);
        if (rel == 0) {
            return 0;
        }
        long found = ranking.stream().limit(k).filter(d -> grade(qrels, d) > 0).count();
        return (double) found / rel;
    }

    /** 1 / rank of the first relevant document within the top k (0 if none). */
    public static double mrr(List<String> ranking, Map<String, Integer> qrels, int k) {
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            if (grade(qrels, ranking.get(i)) > 0) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    /** Average precision over the retrieved list, divided by all relevant documents (trec_eval's map). */
    public static double averagePrecision(List<String> ranking, Map<String, Integer> qrels) {
        long rel = relevantCount(qrels);
        if (rel == 0) {
            return 0;
        }
        double sum = 0;
        int found = 0;
        for (int i = 0; i < ranking.size(); i++) {
            if (grade(qrels, ranking.get(i)) > 0) {
                found++;
                sum += (double) found / (i + 1);
            }
        }
        return sum / rel;
    }
}
