package org.llmretriever.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.Test;
import org.llmretriever.encoder.runtime.TorchRuntime;
import org.llmretriever.trainer.objective.Losses;

import static org.junit.Assert.assertEquals;

/** Each loss against values computed by hand. */
public class LossesTest {
    private static NDManager manager() {
        return NDManager.newBaseManager(ai.djl.Device.cpu(), TorchRuntime.engine().getEngineName());
    }

    @Test
    public void infoNceWithoutAndWithHardNegatives() {
        try (NDManager m = manager()) {
            NDArray q = m.create(new float[] { 1, 0, 0, 1 }, new Shape(2, 2));
            NDArray p = m.create(new float[] { 1, 0, 0, 1 }, new Shape(2, 2));
            // logits = identity / 1: each row CE = -log(e / (e + 1)) = log(1 + e^-1)
            double row = Math.log(1 + Math.exp(-1));
            assertEquals(row, Losses.infoNce(q, p, null, 1f).getFloat(), 1e-5);
            // temperature 0.5 doubles the logits
            assertEquals(Math.log(1 + Math.exp(-2)), Losses.infoNce(q, p, null, 0.5f).getFloat(), 1e-5);
            // one hard negative equal to passage 0: q0 row = [1, 0, 1], q1 row = [0, 1, 0]
            NDArray hn = m.create(new float[] { 1, 0 }, new Shape(1, 2));
            double q0 = Math.log(2 + Math.exp(-1));          // -log(e / (e + 1 + e))
            double q1 = Math.log(1 + 2 * Math.exp(-1));      // -log(e / (1 + e + 1))
            double expected = ((q0 + q1) / 2 + row) / 2;      // the passage → query direction has no hard negatives
            assertEquals(expected, Losses.infoNce(q, p, hn, 1f).getFloat(), 1e-5);
        }
    }

    @Test
    public void similarityDistillationIsZeroWhenTheStudentMatchesTheTeacherAndTheKlOtherwise() {
        try (NDManager m = manager()) {
            NDArray q = m.create(new float[] { 1, 0, 0, 1 }, new Shape(2, 2));
            NDArray p = m.create(new float[] { 1, 0, 0, 1 }, new Shape(2, 2));
            NDArray same = m.create(new float[] { 1, 0, 0, 1 }, new Shape(2, 2));
            assertEquals(0, Losses.similarityDistillation(q, p, null, same, 0.5f).getFloat(), 1e-6);
            // teacher: both passages equally similar to both queries -> uniform targets; student rows softmax([2, 0])
            NDArray flat = m.create(new float[] { 0.3f, 0.3f, 0.3f, 0.3f }, new Shape(2, 2));
            double s0 = Math.exp(2) / (Math.exp(2) + 1);
            double kl = 0.5 * Math.log(0.5 / s0) + 0.5 * Math.log(0.5 / (1 - s0));
            assertEquals(kl, Losses.similarityDistillation(q, p, null, flat, 0.5f).getFloat(), 1e-5);
            // an extra candidate equal to passage 0 that the teacher scores like passage 0: query 0's targets over
            // [p0, p1, extra] are softmax([2, 0, 2]), its student row the same, so only query 1's row differs
            NDArray extra = m.create(new float[] { 1, 0 }, new Shape(1, 2));
            NDArray teacher3 = m.create(new float[] { 1, 0, 1, 0, 1, 0 }, new Shape(2, 3));
            assertEquals(0, Losses.similarityDistillation(q, p, extra, teacher3, 0.5f).getFloat(), 1e-6);
            NDArray teacherOff = m.create(new float[] { 1, 0, 0, 0, 1, 0 }, new Shape(2, 3));
            double t0 = 1 / (1 + 2 * Math.exp(-2));                    // teacher row 0: softmax([2, 0, 0])[0]
            double st0 = 1 / (2 + Math.exp(-2));                       // student row 0: softmax([2, 0, 2])[0]
            double row0 = t0 * Math.log(t0 / st0) + (1 - t0) / 2 * Math.log((1 - t0) / 2 / (Math.exp(-2) * st0))
                + (1 - t0) / 2 * Math.log((1 - t0) / 2 / st0);
            assertEquals(row0 / 2 / 2, Losses.similarityDistillation(q, p, extra, teacherOff, 0.5f).getFloat(), 1e-5);
        }
    }

    @Test
    public void bagOfWordsAveragesTargetLogProbsAndIgnoresEmptyRows() {
        try (NDManager m = manager()) {
            NDArray logp = m.create(new float[] {
                (float) Math.log(0.5), (float) Math.log(0.25), (float) Math.log(0.25),
                (float) Math.log(0.1), (float) Math.log(0.1), (float) Math.log(0.8) }, new Shape(2, 3));
            NDArray t1 = Losses.multiHot(m, new long[][] { { 0, 1 }, {} }, 3);
            assertEquals(-(Math.log(0.5) + Math.log(0.25)) / 2, Losses.bagOfWords(logp, t1).getFloat(), 1e-5);
            NDArray t2 = Losses.multiHot(m, new long[][] { { 0, 1 }, { 2 } }, 3);
            double expected = (-(Math.log(0.5) + Math.log(0.25)) / 2 - Math.log(0.8)) / 2;
            assertEquals(expected, Losses.bagOfWords(logp, t2).getFloat(), 1e-5);
        }
    }

    @Test
    public void clmPredictsTheNextRealToken() {
        try (NDManager m = manager()) {
            // batch of 1, 3 positions, vocabulary 2; tokens [0, 1, 1]; the last position is padding
            NDArray logits = m.create(new float[] { 2, 0, 0, 1, 5, 5 }, new Shape(1, 3, 2));
            NDArray ids = m.create(new long[] { 0, 1, 1 }, new Shape(1, 3));
            NDArray valid = m.create(new boolean[] { true, true, false }, new Shape(1, 3));
            // only pair (pos 0 → token 1): -log softmax([2, 0])[1] = log(1 + e^2)
            assertEquals(Math.log(1 + Math.exp(2)), Losses.clm(logits, ids, valid).getFloat(), 1e-5);
            NDArray allValid = m.create(new boolean[] { true, true, true }, new Shape(1, 3));
            double second = Math.log(1 + Math.exp(-1));    // pos 1 → token 1: -log softmax([0, 1])[1]
            assertEquals((Math.log(1 + Math.exp(2)) + second) / 2, Losses.clm(logits, ids, allValid).getFloat(), 1e-5);
        }
    }
}
