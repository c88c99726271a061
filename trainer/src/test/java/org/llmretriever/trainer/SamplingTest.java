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
}
