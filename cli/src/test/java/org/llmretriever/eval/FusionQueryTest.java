package org.llmretriever.eval;

import org.junit.Test;

import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;

/** The hybrid query DSL carries the fusion weights and rank constant that --tune-fusion chose. */
public class FusionQueryTest {
    @Test
    @SuppressWarnings("unchecked")
    public void hybridCarriesWeightsAndRankConstant() {
        Map<String, Object> q = EvalRunner.query("hybrid", "how do mountains form", "m", 100, 20, 0.35);
        Map<String, Object> h = (Map<String, Object>) q.get("hybrid_rrf");
        assertEquals(List.of(1.0, 0.35), h.get("weights"));
        assertEquals(20, h.get("rank_constant"));
        assertEquals(2, ((List<?>) h.get("queries")).size());
        Map<String, Object> equal = (Map<String, Object>) EvalRunner.query("hybrid", "x", "m", 10, 60).get("hybrid_rrf");
        assertEquals(List.of(1.0, 1.0), equal.get("weights"));
    }
}
