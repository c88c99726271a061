package org.llmretriever.trainer.objective;

import org.junit.Test;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** LLaRA's sequence layout: the predict suffix reuses the summarize suffix's positions and cannot see it. */
public class LlaraLayoutTest {
    @Test
    public void predictSuffixReusesPositionsAndCannotSeeTheSummarizeSuffix() {
        long[] prefix = { 1 };
        long[] passage = { 10, 11, 12 };
        long[] summarize = { 20, 21, 90, 91 };   // prompt tokens, then two placeholders
        long[] predict = { 30, 90, 91 };
        LlaraObjective.Layout l = LlaraObjective.layout(prefix, passage, summarize, predict);
        assertArrayEquals(new long[] { 1, 10, 11, 12, 20, 21, 90, 91, 30, 90, 91 }, l.ids());
        // prefix + passage: 0..3, summarize: 4..7, predict restarts at 4
        assertArrayEquals(new long[] { 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6 }, l.positions());
        assertEquals(4, l.textEnd());
        assertEquals(8, l.predictStart());
        for (int q = 0; q < l.ids().length; q++) {
            for (int k = 0; k < l.ids().length; k++) {
                boolean expected;
                if (k > q) {
                    expected = false;                           // causal
                } else if (q >= 8 && k >= 4 && k < 8) {
                    expected = false;                           // predict cannot see summarize
                } else {
                    expected = true;
                }
                assertEquals("query " + q + " key " + k, expected, l.allowed(q, k));
            }
        }
        assertTrue(l.allowed(10, 3));   // the predict placeholders see the passage
        assertFalse(l.allowed(10, 7));  // but not the summarize placeholders
        assertTrue(l.allowed(7, 4));    // the summarize placeholders see their prompt
    }
}
