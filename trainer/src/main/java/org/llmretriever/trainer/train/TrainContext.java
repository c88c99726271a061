package org.llmretriever.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.TokenWeights;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.tokenize.TextTokenizer;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.index.HardNegativeMiner;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** What objectives work with: model, tokenizer (which LLaRA may extend), corpus, configuration, tokens cache. */
public final class TrainContext {
    private final TrainConfig config;
    private EncoderModel encoder;
    private final Corpus corpus;
    private final HardNegativeMiner miner;
    private TextTokenizer tokenizer;
    private final List<long[]> tokenCache;
    private final Set<Integer> trainableEmbeddingRows = new TreeSet<>();
    /** {@code [vocab]} log of the pooling weights when they train (--train-token-weights), else null. */
    private NDArray tokenLogWeights;
    private int[] documentFrequencies;

    /** New context; the tokenizer starts as the encoder's. */
    public TrainContext(TrainConfig config, EncoderModel encoder, Corpus corpus, HardNegativeMiner miner) {
        this.config = config;
        this.encoder = encoder;
        this.corpus = corpus;
        this.miner = miner;
        this.tokenizer = encoder.tokenizer();
        this.tokenCache = new ArrayList<>(java.util.Collections.nCopies(corpus.size(), (long[]) null));
    }

    public TrainConfig config() {
        return config;
    }

    public EncoderModel encoder() {
        return encoder;
    }

    /** Switches to another view of the same model (other pooling/prompts, extended tokenizer). */
    public void setEncoder(EncoderModel e) {
        encoder = e;
    }

    /** The trained log pooling weights {@code [vocab]}, or null when the weights are fixed (or not used). */
    public NDArray tokenLogWeights() {
        return tokenLogWeights;
    }

    /** Makes the pooling weights a trained parameter, starting from the encoder's current ones. */
    public void trainTokenWeights(NDArray logWeights) {
        tokenLogWeights = logWeights;
    }

    /** Points the encoder's {@code weighted_mean} pooling at the trained weights' current values (probes, output). */
    public void syncTokenWeights() {
        if (tokenLogWeights != null && encoder.options().pooling().mode() == Pooling.Mode.WEIGHTED_MEAN) {
            float[] logs = tokenLogWeights.toType(DataType.FLOAT32, false).toFloatArray();
            float[] w = new float[logs.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) Math.exp(logs[i]);
            }
            encoder = encoder.withTokenWeights(new TokenWeights(w));
        }
    }

    public DecoderModel model() {
        return encoder.model();
    }

    public Corpus corpus() {
        return corpus;
    }

    /** BM25 hard-negative source, or null. */
    public HardNegativeMiner miner() {
        return miner;
    }

    /** The tokenizer in use (LLaRA adds placeholder tokens to it). */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Replaces the tokenizer (the old one is kept open by the encoder). */
    public void setTokenizer(TextTokenizer t) {
        tokenizer = t;
        for (int i = 0; i < tokenCache.size(); i++) {
            tokenCache.set(i, null);
        }
        documentFrequencies = null;
    }

    /** Token ids of document i's text (no special tokens), cached. */
    public synchronized long[] tokens(int doc) {
        long[] t = tokenCache.get(doc);
        if (t == null) {
            t = tokenizer.encode(corpus.documents().get(doc).text(), false);
            tokenCache.set(doc, t);
        }
        return t;
    }

    /**
     * In how many corpus documents each token id occurs, counted once per run and shared by the pooling weights and
     * the TF-IDF teacher (recounted after the tokenizer changes).
     */
    public synchronized int[] documentFrequencies() {
        if (documentFrequencies == null) {
            List<long[]> documents = new ArrayList<>(corpus.size());
            for (int i = 0; i < corpus.size(); i++) {
                documents.add(tokens(i));
            }
            documentFrequencies = TokenWeights.documentFrequencies(documents, model().vocabSize());
        }
        return documentFrequencies;
    }

    /** Embedding rows that train even under LoRA (LLaRA's new placeholder tokens). */
    public Set<Integer> trainableEmbeddingRows() {
        return trainableEmbeddingRows;
    }

    /** Forward FLOPs of one B × T padded batch plus LM-head positions ({@link DecoderModel#forwardFlops}). */
    public double forwardFlops(long batch, long length, long headPositions) {
        return model().forwardFlops(batch, length, headPositions);
    }
}
