package org.llmretriever.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.llmretriever.encoder.runtime.Scalars;

/** The loss functions of the three objectives, as differentiable DJL expressions (float32). */
public final class Losses {
    private Losses() {}

    /** Mean over rows of {@code -log softmax(logits)[i, i]}: row i's target is column i. */
    static NDArray crossEntropyDiagonal(NDArray logits) {
        long b = logits.getShape().get(0);
        NDManager m = logits.getManager();
        NDArray index = m.arange(0, (int) b, 1, DataType.INT64).reshape(b, 1);
        NDArray picked = logits.logSoftmax(1).gather(index, 1); // [B, 1]
        return picked.mean().neg();
    }

    /**
     * Symmetric InfoNCE of paired views: query i should match passage i among all passages (and hard negatives),
     * and passage i query i among all queries.
     *
     * @param q {@code [B, D]} normalized query-view embeddings
     * @param p {@code [B, D]} normalized passage-view embeddings
     * @param hardNegatives {@code [H, D]} extra negative passages, or null
     * @param temperature softmax temperature (e.g. 0.05)
     */
    public static NDArray infoNce(NDArray q, NDArray p, NDArray hardNegatives, float temperature) {
        NDArray candidates = hardNegatives == null ? p : p.concat(hardNegatives, 0);
        NDArray qp = Scalars.div(q.matMul(candidates.transpose()), temperature);
        NDArray pq = Scalars.div(p.matMul(q.transpose()), temperature);
        return Scalars.div(crossEntropyDiagonal(qp).add(crossEntropyDiagonal(pq)), 2f);
    }

    /**
     * Similarity distillation: each query's softmax over the candidate passages (and each passage's over the
     * queries) should match a teacher's, both at the same temperature, so the student's cosine differences follow
     * the teacher's. Mean over rows and both directions of KL(teacher || student).
     *
     * @param q {@code [B, D]} normalized query-view embeddings
     * @param p {@code [B, D]} normalized passage-view embeddings
     * @param extra {@code [H, D]} further candidate passages for the queries (e.g. BM25 neighbours), or null
     * @param teacher {@code [B, B + H]} the teacher's similarity of query i and candidate j (e.g. TF-IDF cosine)
     */
    public static NDArray similarityDistillation(NDArray q, NDArray p, NDArray extra, NDArray teacher, float temperature) {
        long b = p.getShape().get(0);
        NDArray candidates = extra == null ? p : p.concat(extra, 0);
        NDArray target = Scalars.div(teacher, temperature);
        NDArray queryToPassages = klRows(target, Scalars.div(q.matMul(candidates.transpose()), temperature));
        NDArray passageToQueries = klRows(target.get(":, :" + b).transpose(), Scalars.div(p.matMul(q.transpose()), temperature));
        return Scalars.div(queryToPassages.add(passageToQueries), 2f);
    }

    /** Mean over rows of KL(softmax(target) || softmax(student)); the target carries no gradient. */
    private static NDArray klRows(NDArray targetLogits, NDArray studentLogits) {
        NDArray logT = targetLogits.logSoftmax(1);
        NDArray t = logT.exp();
        return t.mul(logT.sub(studentLogits.logSoftmax(1))).sum(new int[] { 1 }).mean();
    }

    /**
     * LLaRA's bag-of-words loss: for each row, minus the mean log-probability of its target tokens.
     *
     * @param logProbs {@code [B, V]} log-probabilities
     * @param targets {@code [B, V]} float multi-hot (1 at each target token id); rows without targets are ignored
     */
    public static NDArray bagOfWords(NDArray logProbs, NDArray targets) {
        NDArray perRow = logProbs.mul(targets).sum(new int[] { 1 });          // [B]
        NDArray counts = targets.sum(new int[] { 1 });                         // [B]
        NDArray has = Scalars.gt(counts, 0).toType(DataType.FLOAT32, false);
        NDArray rowLoss = perRow.neg().div(Scalars.maximum(counts, 1f)).mul(has);
        return rowLoss.sum().div(Scalars.maximum(has.sum(), 1f));
    }

    /**
     * Causal language-model loss: mean cross-entropy of predicting token t+1 from position t, over pairs where
     * both tokens are real.
     *
     * @param logits {@code [B, T, V]}
     * @param ids {@code [B, T]} int64
     * @param valid {@code [B, T]} bool
     */
    public static NDArray clm(NDArray logits, NDArray ids, NDArray valid) {
        long t = logits.getShape().get(1);
        NDArray pred = logits.get(":, :" + (t - 1) + ", :");                    // [B, T-1, V]
        NDArray next = ids.get(":, 1:").expandDims(2);                          // [B, T-1, 1]
        NDArray logp = pred.logSoftmax(2).gather(next, 2).squeeze(2);           // [B, T-1]
        NDArray v = valid.get(":, 1:").logicalAnd(valid.get(":, :" + (t - 1))).toType(DataType.FLOAT32, false);
        return logp.mul(v).sum().neg().div(Scalars.maximum(v.sum(), 1f));
    }

    /** Multi-hot {@code [B, V]} float32 rows from token id lists. */
    public static NDArray multiHot(NDManager m, long[][] ids, int vocab) {
        float[] hot = new float[ids.length * vocab];
        for (int b = 0; b < ids.length; b++) {
            for (long id : ids[b]) {
                if (id >= 0 && id < vocab) {
                    hot[b * vocab + (int) id] = 1f;
                }
            }
        }
        return m.create(hot, new Shape(ids.length, vocab));
    }
}
