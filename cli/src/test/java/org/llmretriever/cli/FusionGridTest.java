package org.llmretriever.cli;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** --tune-fusion's grid includes BM25 alone (dense weight 0), so the tuned hybrid cannot fall below BM25 on the tuning split. */
public class FusionGridTest {
    @Test
    public void gridStartsWithBm25AloneAndIncludesEqualWeights() {
        assertEquals(0.0, EvalCommand.FUSION_DENSE_WEIGHTS[0], 0.0);
        assertTrue(java.util.Arrays.stream(EvalCommand.FUSION_DENSE_WEIGHTS).anyMatch(w -> w == 1.0));
        assertTrue(java.util.Arrays.stream(EvalCommand.FUSION_RANK_CONSTANTS).anyMatch(c -> c == 60));
    }
}
