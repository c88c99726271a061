package org.llmretriever.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.model.TokenBatch;
import org.llmretriever.encoder.runtime.Scalars;
import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.TrainContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * LLM2IR-style unsupervised contrastive learning: two random contiguous crops of one document form a positive
 * pair (the first embedded as a query, the second as a passage); the other documents' crops in the batch — and
 * optionally BM25 hard negatives from the same index — are negatives; symmetric InfoNCE at a temperature.
 */
public final class Llm2IrObjective implements Objective {
    /** Documents held out of training for the crop-retrieval probe (at most; never more than a tenth of the corpus). */
    static final int HELD_OUT = 256;
    private final List<Integer> eligible = new ArrayList<>();
    private final List<long[]> heldOutQueries = new ArrayList<>();
    private final List<long[]> heldOutPassages = new ArrayList<>();
    /** Unit passage embeddings of earlier steps, extra negatives (--queue). */
    private NegativeQueue queue = new NegativeQueue(0);

    @Override
    public String name() {
        return "llm2ir";
    }

    /** Token ids the bag-of-words loss ignores. */
    private Set<Long> uninformative = Set.of();
    /** TF-IDF over the corpus (--lexical-teacher), or null. */
    private LexicalTeacher teacher;
    /** Each document's nearest documents by TF-IDF cosine (--batch-neighbours), or null. */
    private int[][] neighbours;
    /** Neighbours drawn from each document's this many nearest. */
    static final int NEIGHBOUR_POOL = 8;

    @Override
    public void prepare(TrainContext ctx) {
        uninformative = ctx.config().bowWeight > 0 ? LlaraObjective.uninformativeTokens(ctx, ctx.tokenizer(), true) : Set.of();
        eligible.clear();
        queue = new NegativeQueue(ctx.config().queueSize);
        List<long[]> documents = new ArrayList<>();
        for (int i = 0; i < ctx.corpus().size(); i++) {
            long[] tokens = ctx.tokens(i);
            documents.add(tokens);
            if (tokens.length >= 2) {
                eligible.add(i);
            }
        }
        LexicalTeacher tfidf = ctx.config().lexicalTeacher > 0 || ctx.config().batchNeighbours > 0 ? new LexicalTeacher(ctx.documentFrequencies(), documents.size()) : null;
        teacher = ctx.config().lexicalTeacher > 0 ? tfidf : null;
        neighbours = ctx.config().batchNeighbours > 0 ? tfidf.neighbours(documents, NEIGHBOUR_POOL) : null;
        if (eligible.size() < ctx.config().batchSize) {
            throw new IllegalArgumentException("llm2ir needs at least --batch-size (" + ctx.config().batchSize
                + ") documents with 2+ tokens; the corpus has " + eligible.size());
        }
        // Held-out pairs for the probe: documents never trained on, their views drawn once.
        heldOutQueries.clear();
        heldOutPassages.clear();
        int n = Math.min(HELD_OUT, (eligible.size() - ctx.config().batchSize) / 10);
        if (n >= 8) {
            Random rng = new Random(ctx.config().seed ^ 0x5EED);
            java.util.Collections.shuffle(eligible, rng);
            for (int i : eligible.subList(0, n)) {
                long[][] v = views(ctx, ctx.tokens(i), rng);
                heldOutQueries.add(ctx.encoder().sequenceFor(v[0], Kind.QUERY));
                heldOutPassages.add(ctx.encoder().sequenceFor(v[1], Kind.PASSAGE));
            }
            eligible.subList(0, n).clear();
            java.util.Collections.sort(eligible);
        }
    }

    /** Fraction of held-out query views whose own passage view is the most similar of all held-out passage views. */
    @Override
    public Map<String, Double> probe(TrainContext ctx) {
        if (heldOutQueries.isEmpty()) {
            return Map.of();
        }
        float[][] q = ctx.encoder().embedPrepared(heldOutQueries, 0).vectors();
        float[][] p = ctx.encoder().embedPrepared(heldOutPassages, 0).vectors();
        return Map.of("heldout_crop_acc@1", pairedTop1(q, p));
    }

    /** Fraction of rows i whose highest dot product among all {@code passages} is with {@code passages[i]}. */
    public static double pairedTop1(float[][] queries, float[][] passages) {
        int hits = 0;
        for (int i = 0; i < queries.length; i++) {
            int best = -1;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < passages.length; j++) {
                double s = 0;
                for (int k = 0; k < queries[i].length; k++) {
                    s += queries[i][k] * passages[j][k];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = j;
                }
            }
            hits += best == i ? 1 : 0;
        }
        return hits / (double) queries.length;
    }

    private static long[][] views(TrainContext ctx, long[] toks, Random rng) {
        TrainConfig cfg = ctx.config();
        return cfg.queryCropMax > 0
            ? views(toks, cfg.queryCropMin, cfg.queryCropMax, cfg.cropMin, cfg.cropMax, rng)
            : new long[][] { crop(toks, cfg.cropMin, cfg.cropMax, rng), crop(toks, cfg.cropMin, cfg.cropMax, rng) };
    }

    /**
     * A query-like view and a passage-like view of one document: a short span of [qMin, qMax] tokens and a long one of
     * [pMin, pMax], disjoint where the document is long enough (else the passage view is drawn independently), so
     * the pair teaches query → passage matching rather than copy detection. Returns {query, passage}.
     */
    public static long[][] views(long[] tokens, int qMin, int qMax, int pMin, int pMax, Random rng) {
        int qHi = Math.min(qMax, tokens.length);
        int qLo = Math.min(qMin, qHi);
        int qLen = qLo + rng.nextInt(qHi - qLo + 1);  // the same draws as crop()
        int qStart = rng.nextInt(tokens.length - qLen + 1);
        long[] q = Arrays.copyOfRange(tokens, qStart, qStart + qLen);
        int pLen = Math.min(tokens.length, pMin + rng.nextInt(pMax - pMin + 1));
        int before = qStart;
        int after = tokens.length - qStart - q.length;
        int room = Math.max(before, after);
        if (room >= Math.min(pLen, pMin)) { // disjoint: the passage view comes from the larger side of the query view
            int len = Math.min(pLen, room);
            int from = before >= after ? rng.nextInt(before - len + 1) : qStart + q.length + rng.nextInt(after - len + 1);
            return new long[][] { q, Arrays.copyOfRange(tokens, from, from + len) };
        }
        return new long[][] { q, crop(tokens, pMin, pMax, rng) };
    }

    /** A random contiguous span of {@code tokens} whose length is drawn from [min, max] (clipped to the text). */
    public static long[] crop(long[] tokens, int min, int max, Random rng) {
        int hi = Math.min(max, tokens.length);
        int lo = Math.min(min, hi);
        int len = lo + rng.nextInt(hi - lo + 1);
        int start = rng.nextInt(tokens.length - len + 1);
        return Arrays.copyOfRange(tokens, start, start + len);
    }

    @Override
    public TrainingBatch batch(TrainContext ctx, Random rng, NDManager scratch) throws IOException {
        TrainConfig cfg = ctx.config();
        EncoderModel em = ctx.encoder();
        int b = cfg.batchSize;
        List<Integer> picked;
        if (neighbours != null) {
            picked = neighbourBatch(b, cfg.batchNeighbours, rng);
        } else {
            picked = new ArrayList<>(eligible);
            java.util.Collections.shuffle(picked, rng);
            picked = picked.subList(0, b);
        }
        List<long[]> queries = new ArrayList<>();
        List<long[]> passages = new ArrayList<>();
        List<long[]> negatives = new ArrayList<>();
        List<long[]> queryViews = new ArrayList<>();
        List<long[]> passageViews = new ArrayList<>();
        List<long[]> negativeViews = new ArrayList<>();
        for (int i : picked) {
            long[] toks = ctx.tokens(i);
            long[][] v = views(ctx, toks, rng);
            long[] a = v[0];
            long[] p = v[1];
            queryViews.add(a);
            passageViews.add(p);
            queries.add(em.sequenceFor(a, Kind.QUERY));
            passages.add(em.sequenceFor(p, Kind.PASSAGE));
            if (cfg.hardNegatives > 0 && ctx.miner() != null) {
                Document d = ctx.corpus().documents().get(i);
                for (String neg : ctx.miner().negatives(ctx.tokenizer().decode(a, true), d.id(), cfg.hardNegatives)) {
                    long[] view = crop(ctx.tokenizer().encode(neg, false), cfg.cropMin, cfg.cropMax, rng);
                    negativeViews.add(view);
                    negatives.add(em.sequenceFor(view, Kind.PASSAGE));
                }
            }
        }
        // Two forward passes, each padded to its own longest sequence: query views (8-32 tokens) padded to the
        // passages' length would more than double the positions computed.
        List<long[]> longer = new ArrayList<>(passages);
        longer.addAll(negatives);
        PooledViews pq = pooledViews(ctx, queries, scratch);
        PooledViews pp = pooledViews(ctx, longer, scratch);
        NDArray pooled = pq.pooled().concat(pp.pooled(), 0); // [2B + H, D]: queries, passages, negatives
        NDArray unit = EncoderModel.unitRows(pooled);
        NDArray q = unit.get("0:" + b);
        NDArray p = unit.get(b + ":" + 2 * b);
        NDArray hn = negatives.isEmpty() ? null : unit.get(2 * b + ":");
        NDArray mined = hn;
        NDArray queued = queuedNegatives(picked, scratch);
        if (queued != null) {
            hn = hn == null ? queued : hn.concat(queued, 0);
        }
        NDArray loss = Losses.infoNce(q, p, hn, (float) cfg.temperature);
        if (cfg.queueSize > 0) {
            enqueue(picked, p);
        }
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("infonce", loss);
        if (teacher != null) {
            List<long[]> candidates = new ArrayList<>(passageViews);
            candidates.addAll(negativeViews); // BM25 neighbours: where the teacher's grading matters most
            float[][] t = teacher.cosines(queryViews, candidates);
            NDArray lexical = Losses.similarityDistillation(q, p, mined, scratch.create(t), (float) cfg.temperature);
            parts.put("lexical", lexical);
            loss = loss.add(Scalars.mul(lexical, (float) cfg.lexicalTeacher));
        }
        long headRows = 0;
        if (cfg.bowWeight > 0) {
            NDArray bow = bagOfWords(ctx, pooled.get("0:" + 2 * b), queries, passages, scratch);
            parts.put("bow", bow);
            loss = loss.add(Scalars.mul(bow, (float) cfg.bowWeight));
            headRows = 2L * b;
        }
        double flops = ctx.forwardFlops(pq.batch().size(), pq.batch().length(), 0) + ctx.forwardFlops(pp.batch().size(), pp.batch().length(), headRows);
        return new TrainingBatch(loss, parts, pq.batch().realTokens() + pp.batch().realTokens(), flops);
    }

    /** Token sequences embedded in one left-padded forward pass, and their pooled states {@code [N, D]} (float32). */
    private record PooledViews(TokenBatch batch, NDArray pooled) {}

    private static PooledViews pooledViews(TrainContext ctx, List<long[]> sequences, NDManager scratch) {
        EncoderModel em = ctx.encoder();
        TokenBatch tb = TokenBatch.of(sequences, em.padId(), TokenBatch.PaddingSide.LEFT);
        TokenBatch.Inputs in = tb.toArrays(scratch);
        NDArray hidden = ctx.model().forward(in.ids(), in.positions(), em.attentionMask(in.keyValid()));
        boolean trainedWeights = ctx.tokenLogWeights() != null && em.options().pooling().mode() == Pooling.Mode.WEIGHTED_MEAN;
        NDArray pooled = trainedWeights
            ? trainedWeightedMean(hidden, in, ctx.tokenLogWeights())
            : em.poolHidden(hidden, tb, in.keyValid(), null);
        return new PooledViews(tb, pooled);
    }

    /**
     * A batch of {@code b} training documents made of random seeds, each followed by up to {@code perSeed} of its
     * TF-IDF neighbours (drawn from its {@link #NEIGHBOUR_POOL} nearest): the in-batch negatives then share words with
     * the positives, so InfoNCE and the teacher must rank near-misses, as retrieval does, not 31 unrelated texts.
     */
    List<Integer> neighbourBatch(int b, int perSeed, Random rng) {
        Set<Integer> training = new java.util.HashSet<>(eligible);
        Set<Integer> batch = new LinkedHashSet<>();
        while (batch.size() < b) {
            int seed = eligible.get(rng.nextInt(eligible.size()));
            if (!batch.add(seed)) {
                continue;
            }
            List<Integer> near = new ArrayList<>();
            for (int d : neighbours[seed]) {
                if (training.contains(d) && !batch.contains(d)) {
                    near.add(d);
                }
            }
            java.util.Collections.shuffle(near, rng);
            for (int i = 0; i < Math.min(perSeed, near.size()) && batch.size() < b; i++) {
                batch.add(near.get(i));
            }
        }
        return new ArrayList<>(batch);
    }

    /**
     * {@code weighted_mean} pooling with the weights as a trained parameter: {@code exp(logWeights[id])} per real
     * token, so the gradient reaches each token's weight. {@code hidden [B, T, D]} → {@code [B, D]}.
     */
    static NDArray trainedWeightedMean(NDArray hidden, TokenBatch.Inputs in, NDArray logWeights) {
        NDArray h = hidden.getDataType() == DataType.FLOAT32 ? hidden : hidden.toType(DataType.FLOAT32, false);
        NDArray w = logWeights.exp().take(in.ids()).mul(in.keyValid().toType(DataType.FLOAT32, false)); // [B, T]
        return h.mul(w.expandDims(2)).sum(new int[] { 1 }).div(w.sum(new int[] { 1 }, true));
    }

    /** The queue's passages {@code [N, D]} as constants, less this batch's documents; null when there are none. */
    private NDArray queuedNegatives(List<Integer> batchDocs, NDManager scratch) {
        List<float[]> rows = queue.negatives(new java.util.HashSet<>(batchDocs));
        if (rows.isEmpty()) {
            return null;
        }
        int d = rows.get(0).length;
        float[] flat = new float[rows.size() * d];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, i * d, d);
        }
        return scratch.create(flat, new ai.djl.ndarray.types.Shape(rows.size(), d));
    }

    /** Pushes this step's passage embeddings, detached from the graph. */
    private void enqueue(List<Integer> batchDocs, NDArray passages) {
        float[] flat = passages.toType(DataType.FLOAT32, false).toFloatArray();
        int d = flat.length / batchDocs.size();
        float[][] rows = new float[batchDocs.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        }
        queue.add(batchDocs, rows);
    }

    /**
     * Both views' embeddings, read through the LM head, must predict the words of the document they came from (the
     * union of both views, stopwords left out): LLaRA's EBAE/EBAR idea applied to the pooled embedding. It ties the
     * embedding to the document's vocabulary, which in-batch contrast alone lets a small model forget.
     *
     * @param pooled {@code [2B, D]} query rows then passage rows, before normalisation
     */
    private NDArray bagOfWords(TrainContext ctx, NDArray pooled, List<long[]> queries, List<long[]> passages, NDManager scratch) {
        int b = queries.size();
        long[][] targets = new long[2 * b][];
        for (int i = 0; i < b; i++) {
            Set<Long> words = new LinkedHashSet<>();
            for (long[] view : List.of(queries.get(i), passages.get(i))) {
                for (long id : view) {
                    if (!uninformative.contains(id)) {
                        words.add(id);
                    }
                }
            }
            targets[i] = words.stream().mapToLong(Long::longValue).toArray();
            targets[b + i] = targets[i];
        }
        NDArray logProbs = ctx.model().logits(pooled).toType(DataType.FLOAT32, false).logSoftmax(1); // [2B, V]
        return Losses.bagOfWords(logProbs, Losses.multiHot(scratch, targets, (int) logProbs.getShape().get(1)));
    }

    @Override
    public RetrieverConfig retrieverConfig(TrainContext ctx) {
        return RetrieverConfig.of(ctx.encoder().options());
    }
}
