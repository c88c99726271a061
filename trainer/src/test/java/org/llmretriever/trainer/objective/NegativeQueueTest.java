package org.llmretriever.trainer.objective;

import org.junit.Test;

import java.util.List;
import java.util.Set;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class NegativeQueueTest {
    private static float[][] rows(float... firsts) {
        float[][] r = new float[firsts.length][];
        for (int i = 0; i < firsts.length; i++) {
            r[i] = new float[] { firsts[i], -firsts[i] };
        }
        return r;
    }

    @Test
    public void keepsTheNewestUpToItsCapacityOldestFirst() {
        NegativeQueue q = new NegativeQueue(3);
        q.add(List.of(1, 2), rows(1, 2));
        q.add(List.of(3, 4), rows(3, 4));
        assertEquals(3, q.size());
        List<float[]> held = q.negatives(Set.of());
        assertEquals(3, held.size());
        assertArrayEquals(new float[] { 2, -2 }, held.get(0), 0f);
        assertArrayEquals(new float[] { 4, -4 }, held.get(2), 0f);
    }

    @Test
    public void leavesOutTheDocumentsOfTheCurrentBatch() {
        NegativeQueue q = new NegativeQueue(10);
        q.add(List.of(7, 8, 9), rows(7, 8, 9));
        List<float[]> held = q.negatives(Set.of(8));
        assertEquals(2, held.size());
        assertArrayEquals(new float[] { 7, -7 }, held.get(0), 0f);
        assertArrayEquals(new float[] { 9, -9 }, held.get(1), 0f);
    }

    @Test
    public void copiesWhatItIsGivenAndCapacityZeroHoldsNothing() {
        NegativeQueue q = new NegativeQueue(4);
        float[][] r = rows(5);
        q.add(List.of(1), r);
        r[0][0] = 99;
        assertArrayEquals(new float[] { 5, -5 }, q.negatives(Set.of()).get(0), 0f);
        NegativeQueue off = new NegativeQueue(0);
        off.add(List.of(1), rows(1));
        assertTrue(off.negatives(Set.of()).isEmpty());
    }

    @Test
    public void refusesMismatchedInputAndANegativeCapacity() {
        NegativeQueue q = new NegativeQueue(4);
        assertThrows(IllegalArgumentException.class, () -> q.add(List.of(1, 2), rows(1)));
        assertThrows(IllegalArgumentException.class, () -> new NegativeQueue(-1));
    }
}
