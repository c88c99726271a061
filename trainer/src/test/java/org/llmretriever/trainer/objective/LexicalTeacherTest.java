package org.llmretriever.trainer.objective;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class LexicalTeacherTest {
    // token 1 is in every document (a stopword), token 7 in one only
    private final LexicalTeacher teacher = new LexicalTeacher(List.of(
        new long[] { 1, 2, 3 }, new long[] { 1, 4, 5 }, new long[] { 1, 6, 7 }, new long[] { 1, 2, 8 }));

    @Test
    public void rareTokensWeighMoreThanCommonOnes() {
        assertTrue(teacher.idf(7) > teacher.idf(2));
        assertTrue(teacher.idf(2) > teacher.idf(1));
        assertEquals("smoothed: a token in every document still counts", 1.0, teacher.idf(1), 1e-6);
        assertTrue("an unseen token weighs at least as much as the rarest seen", teacher.idf(99) >= teacher.idf(7));
    }

    @Test
    public void cosinesFollowSharedRareTokens() {
        float[][] c = teacher.cosines(
            List.of(new long[] { 1, 7 }, new long[] { 2, 2, 3 }),
            List.of(new long[] { 1, 7 }, new long[] { 1, 6, 7 }, new long[] { 1, 4 }, new long[] { 9 }));
        assertEquals("a text is its own nearest", 1.0, c[0][0], 1e-5);
        assertTrue("sharing the rare token beats sharing the stopword", c[0][1] > c[0][2]);
        assertTrue(c[0][2] > 0);
        assertEquals("nothing shared", 0.0, c[0][3], 0);
        assertEquals(0.0, c[1][2], 0);
        assertTrue(c[1][0] == 0 && c[1][1] == 0);
    }

    @Test
    public void sublinearTermFrequency() {
        // (1 + ln 2) · idf(2) for the repeated token against 1 · idf(3)
        var v = teacher.unitVector(new long[] { 2, 2, 3 });
        assertEquals((1 + Math.log(2)) * teacher.idf(2) / teacher.idf(3), v.get(2L) / v.get(3L), 1e-5);
    }

    @Test
    public void neighboursShareRareTokensAndExcludeTheDocumentItself() {
        // 60 filler documents make tokens 2..6 rare (the search skips tokens in more than a twentieth of them)
        List<long[]> docs = new java.util.ArrayList<>();
        docs.add(new long[] { 1, 2, 3 });
        docs.add(new long[] { 1, 2, 3, 4 });
        docs.add(new long[] { 1, 2, 5 });
        docs.add(new long[] { 1, 6 });
        for (int i = 0; i < 60; i++) {
            docs.add(new long[] { 1, 100 + i });
        }
        LexicalTeacher t = new LexicalTeacher(docs);
        int[][] n = t.neighbours(docs, 2);
        assertEquals(docs.size(), n.length);
        assertEquals("two shared rare tokens rank first", 1, n[0][0]);
        assertEquals(2, n[0][1]);
        assertEquals(0, n[1][0]);
        assertEquals("only the stopword in common: no neighbour", 0, n[3].length);
        for (int d = 0; d < n.length; d++) {
            for (int m : n[d]) {
                assertTrue(m != d);
            }
        }
    }
}
