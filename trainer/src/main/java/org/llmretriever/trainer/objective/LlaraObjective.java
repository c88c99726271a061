package org.llmretriever.trainer.objective;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.runtime.Scalars;
import org.llmretriever.encoder.tokenize.TextTokenizer;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.TrainContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * LLaRA's pretext tasks, laid out as the authors' pretraining code does (FlagOpen/FlagEmbedding,
 * {@code research/LLARA/pretrain/data.py} and {@code modeling.py}). The passage is quoted and followed by a
 * "summarize" suffix ending in N placeholder tokens {@code <s1>…<sN>} and a "predict" suffix ending in N others
 * {@code <sN+1>…<s2N>} (2N new tokens, added to the tokenizer and embedding matrix; N = 8 as published). The
 * predict suffix cannot attend to the summarize suffix and reuses its position ids, so both read the passage
 * alone. The LM-head logits at each suffix's placeholders are max-pooled into one distribution over the vocabulary:
 * <ul>
 *   <li>EBAE: the summarize distribution must cover the passage's own tokens;</li>
 *   <li>EBAR: the predict distribution must cover the next passage's tokens;</li>
 *   <li>loss = (EBAE / 10 + EBAR / 10) / 2 + the causal-LM loss on the passage (weight {@code --llara-clm-weight}).</li>
 * </ul>
 * Afterwards a passage embeds as the mean of the summarize placeholders' states, a query as that of the predict
 * placeholders (pooling {@code suffix_mean:N}) — the prompts of the published BAAI/LLARA checkpoints.
 */
public final class LlaraObjective implements Objective {
    /** Text before the passage. */
    public static final String QUOTE = "\"";
    /** The authors divide each bag-of-words loss by 10 before averaging the two. */
    static final float BOW_SCALE = 10f;
    static final List<String> STOPWORDS = List.of("a", "an", "the", "and", "or", "but", "if", "then", "of", "to", "in", "on", "at", "by",
        "for", "with", "about", "as", "into", "from", "up", "down", "out", "over", "under", "is", "are", "was", "were", "be", "been",
        "being", "have", "has", "had", "do", "does", "did", "it", "its", "this", "that", "these", "those", "he", "she", "they", "we",
        "you", "i", "his", "her", "their", "our", "your", "my", "me", "him", "them", "us", "not", "no", "so", "than", "too", "very",
        "can", "will", "just", "also", "which", "who", "whom", "what", "when", "where", "why", "how", "all", "any", "both", "each",
        "more", "most", "other", "some", "such", "only", "own", "same", "there", "here", "would", "should", "could", "may", "might",
        "must", "shall", ".", ",", ";", ":", "!", "?", "'", "\"", "(", ")", "-", "\n");

    /** A passage and the one after it (empty if it is the document's last). */
    private record Pair(long[] passage, long[] next) {}

    private final List<Pair> pairs = new ArrayList<>();
    private long[] placeholders;
    private long[] quoteIds;
    private long[] summarizeIds;
    private long[] predictIds;
    private final Set<Long> ignoredTargets = new LinkedHashSet<>();

    @Override
    public String name() {
        return "llara";
    }

    /** The 2N placeholder token strings {@code <s1>…<s2N>}: the first N end the summarize suffix, the rest the predict one. */
    public static List<String> placeholderTokens(int n) {
        List<String> t = new ArrayList<>();
        for (int i = 1; i <= 2 * n; i++) {
            t.add("<s" + i + ">");
        }
        return t;
    }

    /** Text between the passage and the summarize placeholders ("eight" for the published N = 8). */
    public static String summarizeText(int n) {
        return "\", summarize the above passage within " + words(n) + " words: ";
    }

    /** Text between the passage and the predict placeholders. */
    public static String predictText(int n) {
        return "\", predict the following passage within " + words(n) + " words: ";
    }

    private static String words(int n) {
        return n == 8 ? "eight" : Integer.toString(n);
    }

    /** The passage prompt of a model trained with N placeholders per suffix. */
    public static String passagePrompt(int n) {
        return QUOTE + "{text}" + summarizeText(n) + String.join("", placeholderTokens(n).subList(0, n));
    }

    /** The query prompt of a model trained with N placeholders per suffix. */
    public static String queryPrompt(int n) {
        return QUOTE + "{text}" + predictText(n) + String.join("", placeholderTokens(n).subList(n, 2 * n));
    }

    @Override
    public void prepare(TrainContext ctx) {
        TrainConfig cfg = ctx.config();
        List<String> ph = placeholderTokens(cfg.llaraTokens);
        TextTokenizer tok = ctx.tokenizer();
        if (tok.tokenId(ph.get(0)).isEmpty()) {
            tok = tok.withSpecialTokens(ph);
            ctx.setTokenizer(tok);
        }
        int vocab = Math.max(ctx.model().vocabSize(), tok.vocabSize());
        ctx.model().resizeVocab(vocab);
        int n = cfg.llaraTokens;
        long[] all = new long[ph.size()];
        for (int i = 0; i < ph.size(); i++) {
            all[i] = tok.tokenId(ph.get(i)).orElseThrow();
            ctx.trainableEmbeddingRows().add((int) all[i]);
        }
        placeholders = all;
        quoteIds = tok.encode(QUOTE, false);
        summarizeIds = concat(tok.encode(summarizeText(n), false), Arrays.copyOfRange(all, 0, n));
        predictIds = concat(tok.encode(predictText(n), false), Arrays.copyOfRange(all, n, 2 * n));
        ignoredTargets.clear();
        ignoredTargets.addAll(uninformativeTokens(ctx, tok, cfg.llaraStopwords));
        for (long p : placeholders) {
            ignoredTargets.add(p);
        }
        pairs.clear();
        int p = cfg.llaraPassageTokens;
        for (int d = 0; d < ctx.corpus().size(); d++) {
            long[] toks = ctx.tokens(d);
            for (int s = 0; s < toks.length; s += p) {
                long[] passage = Arrays.copyOfRange(toks, s, Math.min(toks.length, s + p));
                long[] next = s + p < toks.length ? Arrays.copyOfRange(toks, s + p, Math.min(toks.length, s + 2 * p)) : new long[0];
                if (passage.length >= 2) {
                    pairs.add(new Pair(passage, next));
                }
            }
        }
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("llara found no passage of 2+ tokens in the corpus");
        }
    }

    /**
     * Tokens a bag-of-words target leaves out: the special prefix, EOS and, if asked, single-token stopwords and
     * punctuation (with and without a leading space or capital), which say nothing about what a passage is about.
     */
    static Set<Long> uninformativeTokens(TrainContext ctx, TextTokenizer tok, boolean stopwords) {
        Set<Long> ignored = new LinkedHashSet<>();
        for (long id : ctx.encoder().specialPrefix()) {
            ignored.add(id);
        }
        ctx.encoder().eosId().ifPresent(e -> ignored.add((long) e));
        if (stopwords) {
            for (String w : STOPWORDS) {
                for (String form : List.of(w, " " + w, Character.toUpperCase(w.charAt(0)) + w.substring(1), " " + Character.toUpperCase(w.charAt(0)) + w.substring(1))) {
                    long[] ids = tok.encode(form, false);
                    if (ids.length == 1) {
                        ignored.add(ids[0]);
                    }
                }
            }
        }
        return ignored;
    }

    static long[] concat(long[] a, long[] b) {
        long[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private long[] targets(long[] ids) {
        LinkedHashSet<Long> set = new LinkedHashSet<>();
        for (long id : ids) {
            if (!ignoredTargets.contains(id)) {
                set.add(id);
            }
        }
        return set.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Inputs of one sequence: ids, rotary positions and, for each query position, which keys it may see.
     * Layout: {@code [prefix][passage][summarize + placeholders][predict + placeholders]}; the predict part reuses the
     * summarize part's positions and cannot see it.
     */
    record Layout(long[] ids, long[] positions, int textEnd, int summarizeStart, int predictStart) {
        boolean allowed(int q, int k) {
            if (k > q) {
                return false;
            }
            boolean qInPredict = q >= predictStart;
            boolean kInSummarize = k >= summarizeStart && k < predictStart;
            return !(qInPredict && kInSummarize);
        }
    }

    Layout layout(long[] prefix, long[] passage) {
        return layout(prefix, passage, summarizeIds, predictIds);
    }

    static Layout layout(long[] prefix, long[] passage, long[] summarizeIds, long[] predictIds) {
        long[] ids = concat(concat(concat(prefix, passage), summarizeIds), predictIds);
        int textEnd = prefix.length + passage.length;
        int predictStart = textEnd + summarizeIds.length;
        long[] pos = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            pos[i] = i < predictStart ? i : textEnd + (i - predictStart);
        }
        return new Layout(ids, pos, textEnd, textEnd, predictStart);
    }

    @Override
    public TrainingBatch batch(TrainContext ctx, Random rng, NDManager scratch) {
        TrainConfig cfg = ctx.config();
        int b = cfg.batchSize;
        long[] prefix = ctx.encoder().specialPrefix();
        List<Layout> layouts = new ArrayList<>();
        long[][] ownTargets = new long[b][];
        long[][] nextTargets = new long[b][];
        for (int i = 0; i < b; i++) {
            Pair pair = pairs.get(rng.nextInt(pairs.size()));
            layouts.add(layout(concat(prefix, quoteIds), pair.passage()));
            ownTargets[i] = targets(pair.passage());
            nextTargets[i] = targets(pair.next());
        }
        int t = layouts.stream().mapToInt(l -> l.ids().length).max().orElseThrow();
        long[] ids = new long[b * t];
        long[] pos = new long[b * t];
        boolean[] valid = new boolean[b * t];
        boolean[] textValid = new boolean[b * t];
        boolean[] allowed = new boolean[b * t * t];
        int n = cfg.llaraTokens;
        long[] phIndex = new long[b * 2 * n];
        long pad = ctx.encoder().padId();
        for (int i = 0; i < b; i++) {
            Layout l = layouts.get(i);
            for (int j = 0; j < t; j++) {
                boolean real = j < l.ids().length;
                ids[i * t + j] = real ? l.ids()[j] : pad;
                pos[i * t + j] = real ? l.positions()[j] : 0;
                valid[i * t + j] = real;
                textValid[i * t + j] = real && j < l.textEnd();
                for (int k = 0; k < t; k++) {
                    allowed[(i * t + j) * t + k] = real && k < l.ids().length && l.allowed(j, k);
                }
            }
            for (int p = 0; p < n; p++) {
                phIndex[i * 2 * n + p] = l.predictStart() - n + p;        // summarize placeholders
                phIndex[i * 2 * n + n + p] = l.ids().length - n + p;      // predict placeholders
            }
        }
        Shape bt = new Shape(b, t);
        NDArray idArr = scratch.create(ids, bt);
        NDArray validArr = scratch.create(valid, bt);
        NDArray hidden = ctx.model().forward(idArr, scratch.create(pos, bt),
            AttentionMask.explicit(validArr, scratch.create(allowed, new Shape(b, t, t))));
        long d = hidden.getShape().get(2);
        NDArray index = scratch.create(phIndex, new Shape(b, 2L * n, 1)).broadcast(new Shape(b, 2L * n, d));
        NDArray phStates = hidden.gather(index, 1);                                    // [B, 2N, D]
        NDArray phLogits = ctx.model().logits(phStates).toType(DataType.FLOAT32, false); // [B, 2N, V]
        int vocab = (int) phLogits.getShape().get(2);
        NDArray summarize = phLogits.get(":, 0:" + n + ", :").max(new int[] { 1 }).logSoftmax(1);  // [B, V]
        NDArray predict = phLogits.get(":, " + n + ":, :").max(new int[] { 1 }).logSoftmax(1);
        NDArray ebae = Losses.bagOfWords(summarize, Losses.multiHot(scratch, ownTargets, vocab));
        NDArray ebar = Losses.bagOfWords(predict, Losses.multiHot(scratch, nextTargets, vocab));
        Map<String, NDArray> parts = new LinkedHashMap<>();
        parts.put("ebae", ebae);
        parts.put("ebar", ebar);
        NDArray loss = Scalars.div(ebae.add(ebar), 2 * BOW_SCALE);
        int textLen = layouts.stream().mapToInt(Layout::textEnd).max().orElseThrow();
        long headPositions = 2L * n * b;
        if (cfg.llaraClmWeight > 0) {
            NDArray textHidden = hidden.get(":, 0:" + textLen + ", :");
            NDArray clm = Losses.clm(ctx.model().logits(textHidden), idArr.get(":, 0:" + textLen),
                scratch.create(textValid, bt).get(":, 0:" + textLen));
            parts.put("clm", clm);
            loss = loss.add(Scalars.mul(clm, cfg.llaraClmWeight));
            headPositions += (long) b * textLen;
        }
        long realTokens = 0;
        for (boolean v : valid) {
            realTokens += v ? 1 : 0;
        }
        return new TrainingBatch(loss, parts, realTokens, ctx.forwardFlops(b, t, headPositions));
    }

    @Override
    public RetrieverConfig retrieverConfig(TrainContext ctx) {
        int n = ctx.config().llaraTokens;
        return new RetrieverConfig("suffix_mean:" + n, queryPrompt(n), passagePrompt(n),
            ctx.encoder().options().maxTokens(), ctx.encoder().options().attention().toString());
    }
}
