package org.llmretriever.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.TokenBatch;
import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.TrainContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LLM2IR-style unsupervised contrastive learning: two random contiguous crops of one document form a positive
 * pair (the first embedded as a query, the second as a passage); the other documents' crops in the batch — and
 * optionally BM25 hard negatives from the same index — are negatives; symmetric InfoNCE at a temperature.
 */
public final class Llm2IrObjective implements Objective {
    private final List<Integer> eligible = new ArrayList<>();

    @Override
    public String name() {
        return "llm2ir";
    }

    @Override
    public void prepare(TrainContext ctx) {
        eligible.clear();
        for (int i = 0; i < ctx.corpus().size(); i++) {
            if (ctx.tokens(i).length >= 2) {
                eligible.add(i);
            }
        }
        if (eligible.size() < ctx.config().batchSize) {
            throw new IllegalArgumentException("llm2ir needs at least --batch-size (" + ctx.config().batchSize
                + ") documents with 2+ tokens; the corpus has " + eligible.size());
        }
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
        List<Integer> picked = new ArrayList<>(eligible);
        java.util.Collections.shuffle(picked, rng);
        picked = picked.subList(0, b);
        List<long[]> queries = new ArrayList<>();
        List<long[]> passages = new ArrayList<>();
        List<long[]> negatives = new ArrayList<>();
        for (int i : picked) {
            long[] toks = ctx.tokens(i);
            long[] a = crop(toks, cfg.cropMin, cfg.cropMax, rng);
            long[] p = crop(toks, cfg.cropMin, cfg.cropMax, rng);
            queries.add(em.sequenceFor(a, Kind.QUERY));
            passages.add(em.sequenceFor(p, Kind.PASSAGE));
            if (cfg.hardNegatives > 0 && ctx.miner() != null) {
                Document d = ctx.corpus().documents().get(i);
                for (String neg : ctx.miner().negatives(ctx.tokenizer().decode(a, true), d.id(), cfg.hardNegatives)) {
                    negatives.add(em.sequenceFor(crop(ctx.tokenizer().encode(neg, false), cfg.cropMin, cfg.cropMax, rng), Kind.PASSAGE));
                }
            }
        }
        List<long[]> all = new ArrayList<>(queries);
        all.addAll(passages);
        all.addAll(negatives);
        TokenBatch tb = TokenBatch.of(all, em.padId(), TokenBatch.PaddingSide.LEFT);
        NDArray[] in = tb.toArrays(scratch);
        NDArray hidden = ctx.model().forward(in[0], in[1], AttentionMask.causal(in[2]));
        NDArray pooled = EncoderModel.pool(hidden, tb, in[2], em.options().pooling());
        NDArray unit = pooled.div(pooled.norm(new int[] { -1 }, true).maximum(1e-12f));
        NDArray q = unit.get("0:" + b);
        NDArray p = unit.get(b + ":" + 2 * b);
        NDArray hn = negatives.isEmpty() ? null : unit.get(2 * b + ":");
        NDArray loss = Losses.infoNce(q, p, hn, (float) cfg.temperature);
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("infonce", loss);
        return new TrainingBatch(loss, parts, tb.realTokens(), ctx.forwardFlops(tb.size(), tb.length(), 0));
    }

    @Override
    public RetrieverConfig retrieverConfig(TrainContext ctx) {
        var o = ctx.encoder().options();
        return new RetrieverConfig(o.pooling().toString(), o.queryPrompt().toString(), o.passagePrompt().toString(), o.maxTokens());
    }
}
