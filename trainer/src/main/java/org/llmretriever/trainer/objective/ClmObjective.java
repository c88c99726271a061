package org.llmretriever.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.TokenBatch;
import org.llmretriever.trainer.train.TrainContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Plain causal language modelling (next-token loss) on windows of the corpus — what builds a base model from
 * random weights where no pretrained checkpoint can be downloaded.
 */
public final class ClmObjective implements Objective {
    @Override
    public String name() {
        return "clm";
    }

    @Override
    public void prepare(TrainContext ctx) {
        // nothing: windows are drawn per batch
    }

    @Override
    public TrainingBatch batch(TrainContext ctx, Random rng, NDManager scratch) {
        int b = ctx.config().batchSize;
        int max = ctx.config().maxTokens;
        long[] prefix = ctx.encoder().specialPrefix();
        List<long[]> seqs = new ArrayList<>();
        for (int k = 0; k < b; k++) {
            int doc = rng.nextInt(ctx.corpus().size());
            long[] toks = ctx.tokens(doc);
            long[] full = new long[prefix.length + toks.length + (ctx.encoder().eosId().isPresent() ? 1 : 0)];
            System.arraycopy(prefix, 0, full, 0, prefix.length);
            System.arraycopy(toks, 0, full, prefix.length, toks.length);
            ctx.encoder().eosId().ifPresent(e -> full[full.length - 1] = e);
            if (full.length < 2) {
                k--;
                continue;
            }
            if (full.length > max) {
                int start = rng.nextInt(full.length - max + 1);
                seqs.add(Arrays.copyOfRange(full, start, start + max));
            } else {
                seqs.add(full);
            }
        }
        TokenBatch tb = TokenBatch.of(seqs, ctx.encoder().padId(), TokenBatch.PaddingSide.RIGHT);
        TokenBatch.Inputs in = tb.toArrays(scratch);
        NDArray hidden = ctx.model().forward(in.ids(), in.positions(), AttentionMask.causal(in.keyValid()));
        NDArray loss = Losses.clm(ctx.model().logits(hidden), in.ids(), in.keyValid());
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("clm", loss);
        return new TrainingBatch(loss, parts, tb.realTokens(), ctx.forwardFlops(tb.size(), tb.length(), tb.paddedTokens()));
    }

    @Override
    public RetrieverConfig retrieverConfig(TrainContext ctx) {
        return RetrieverConfig.of(ctx.encoder().options());
    }
}
