package org.llmretriever.trainer;

import org.junit.Test;
import org.llmretriever.trainer.objective.Llm2IrObjective;

import java.util.Random;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Crops are contiguous spans whose length lies in the configured range (clipped to short texts). */
public class SamplingTest {
    @Test
    public void cropsAreContiguousAndWithinBounds() {
        long[] tokens = new long[100];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i;
        }
        Random rng = new Random(1);
        int[] seen = new int[65];
        for (int k = 0; k < 5000; k++) {
            long[] c = Llm2IrObjective.crop(tokens, 16, 64, rng);
            assertTrue(c.length >= 16 && c.length <= 64);
            for (int i = 1; i < c.length; i++) {
                assertEquals(c[i - 1] + 1, c[i]);
            }
            assertTrue(c[0] >= 0 && c[c.length - 1] < 100);
            seen[c.length]++;
        }
        assertTrue("both ends of the range occur", seen[16] > 0 && seen[64] > 0);
        long[] shortText = { 7, 8, 9 };
        for (int k = 0; k < 100; k++) {
            long[] c = Llm2IrObjective.crop(shortText, 16, 64, rng);
            assertEquals("a text shorter than the minimum is used whole", 3, c.length);
        }
    }

    @Test
    public void queryAndPassageViewsHaveTheirLengthsAndDoNotOverlapWhenTheTextAllows() {
        long[] tokens = new long[200];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i; // distinct ids: overlap is visible as shared ids
        }
        Random rng = new Random(3);
        for (int k = 0; k < 2000; k++) {
            long[][] v = Llm2IrObjective.views(tokens, 8, 32, 48, 128, rng);
            assertTrue("query view length " + v[0].length, v[0].length >= 8 && v[0].length <= 32);
            assertTrue("passage view length " + v[1].length, v[1].length >= 48 && v[1].length <= 128);
            java.util.Set<Long> q = new java.util.HashSet<>();
            for (long t : v[0]) {
                q.add(t);
            }
            for (long t : v[1]) {
                assertTrue("views overlap at token " + t, !q.contains(t));
            }
            for (long[] view : v) {
                for (int i = 1; i < view.length; i++) {
                    assertEquals("views are contiguous", view[i - 1] + 1, view[i]);
                }
            }
        }
        long[] shortText = new long[40];
        for (int i = 0; i < shortText.length; i++) {
            shortText[i] = i;
        }
        long[][] v = Llm2IrObjective.views(shortText, 8, 32, 48, 128, rng);
        assertTrue("a short text still gives two views", v[0].length >= 8 && v[1].length >= 8);
    }
}
