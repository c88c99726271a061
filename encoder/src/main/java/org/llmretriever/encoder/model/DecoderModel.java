package org.llmretriever.encoder.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.runtime.Scalars;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A decoder-only transformer whose weights live in one {@link NDManager}. Families implement the layer stack;
 * this class holds what they share: parameters by Hugging Face name, token embedding, LM head, attention-mask
 * preparation and the choice between full and block-wise attention.
 *
 * <p>Forward passes run in a caller-provided scratch manager (the manager of {@code ids}); every layer's
 * intermediates are freed when the layer ends, so inference memory does not grow with depth. Under a DJL
 * {@code GradientCollector} the same code trains: autograd keeps what backward needs.
 */
public abstract class DecoderModel implements AutoCloseable {
    protected final ModelSpec spec;
    protected final NDManager manager;
    protected final DataType dtype;
    /** Non-linear parameters (embeddings, norms) by Hugging Face name. */
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    /** Linear layers by Hugging Face module path. */
    private final Map<String, Linear> linears = new LinkedHashMap<>();
    private int blockwiseAbove = 1024;
    private int blockSize = 256;

    protected DecoderModel(ModelSpec spec, NDManager manager, DataType dtype) {
        this.spec = spec;
        this.manager = manager;
        this.dtype = dtype;
    }

    /** What the config implies. */
    public ModelSpec spec() {
        return spec;
    }

    /** The config. */
    public ModelConfig config() {
        return spec.config();
    }

    /** Compute dtype (float32, or float16 on CUDA). */
    public DataType dtype() {
        return dtype;
    }

    /** Device of the weights. */
    public Device device() {
        return manager.getDevice();
    }

    /** The manager owning the weights; scratch managers for forward passes are made from it. */
    public NDManager manager() {
        return manager;
    }

    /** Embedding dimension. */
    public int hiddenSize() {
        return spec.hiddenSize();
    }

    /** Rows of the token embedding (grows when tokens are added). */
    public int vocabSize() {
        return (int) embedWeight().getShape().get(0);
    }

    /**
     * Sequences longer than {@code threshold} tokens use block-wise attention with blocks of {@code block}
     * tokens (memory linear in length); shorter ones the full score matrix.
     */
    public void setBlockwiseAttention(int threshold, int block) {
        if (block <= 0) {
            throw new IllegalArgumentException("block size must be positive");
        }
        this.blockwiseAbove = threshold;
        this.blockSize = block;
    }

    protected final int attentionBlockSize(long seqLen) {
        return seqLen > blockwiseAbove ? blockSize : 0;
    }

    // ---- parameters -------------------------------------------------------------------------------------

    protected final NDArray param(WeightLoader w, String name) {
        NDArray a = w.load(name, spec.tensors().get(name));
        params.put(name, a);
        return a;
    }

    protected final Linear linear(WeightLoader w, String module, boolean bias) {
        NDArray weight = w.load(module + ".weight", spec.tensors().get(module + ".weight"));
        NDArray b = bias ? w.load(module + ".bias", spec.tensors().get(module + ".bias")) : null;
        Linear l = new Linear(module, weight, b);
        linears.put(module, l);
        return l;
    }

    /** Linear layers by module path (the targets LoRA can attach to). */
    public Map<String, Linear> linears() {
        return Collections.unmodifiableMap(linears);
    }

    /** Every parameter as the checkpoint names it (linear weights and biases included), for saving. */
    public Map<String, NDArray> stateDict() {
        Map<String, NDArray> out = new LinkedHashMap<>(params);
        for (Linear l : linears.values()) {
            if (spec.tiedEmbeddings() && l == lmHead()) {
                continue;
            }
            out.put(l.name() + ".weight", l.weight());
            if (l.bias() != null) {
                out.put(l.name() + ".bias", l.bias());
            }
        }
        return out;
    }

    /**
     * Forward FLOPs of {@code batch} × {@code length} tokens (padding included): 2 per projection weight per token,
     * QKᵀ and PV (4 × length × heads × head_dim per token and layer), and the LM head (2 × hidden × vocab) at
     * {@code headPositions} positions. The one FLOP model behind every MFU figure (training and benchmarks).
     */
    public double forwardFlops(long batch, long length, long headPositions) {
        long projectionWeights = 0;
        for (Linear l : linears.values()) {
            if (l != lmHead()) {
                projectionWeights += l.weight().getShape().size();
            }
        }
        int heads = config().requiredInt("num_attention_heads");
        int headDim = config().optInt("head_dim", hiddenSize() / heads);
        double perToken = 2.0 * projectionWeights + 4.0 * length * heads * headDim * spec.layers();
        return perToken * batch * length + 2.0 * hiddenSize() * vocabSize() * headPositions;
    }

    /**
     * Bytes of the largest single intermediate tensor of a forward pass over {@code batch} × {@code length} tokens:
     * the MLP's {@code [B, T, intermediate]} activation or the float32 attention scores: {@code [B, H, block, block]}
     * where causal attention goes block-wise, else {@code [B, H, T, T]} (bidirectional attention is always full, see
     * {@code Attention.attend}). The embedding loop keeps it under a budget on CPU.
     */
    public long largestActivationBytes(long batch, long length, boolean causal) {
        int heads = config().requiredInt("num_attention_heads");
        long width = Math.max(config().optInt("intermediate_size", 4 * hiddenSize()), hiddenSize());
        int block = causal ? attentionBlockSize(length) : 0;
        long span = block > 0 ? block : length; // query and key rows of one score block
        long mlp = batch * length * width * dtype.getNumOfBytes();
        long scores = batch * heads * span * span * Float.BYTES;
        return Math.max(mlp, scores);
    }

    /** Number of parameters (tied embeddings counted once). */
    public long parameterCount() {
        return stateDict().values().stream().mapToLong(a -> a.getShape().size()).sum();
    }

    /** The input embedding {@code [V, D]}. */
    protected abstract NDArray embedWeight();

    /** The LM head (for tied embeddings a view over {@link #embedWeight()}). */
    protected abstract Linear lmHead();

    /** Replaces the embedding weight everywhere it is referenced. */
    protected abstract void replaceEmbedWeight(NDArray w);

    protected final void replaceParam(String name, NDArray w) {
        NDArray old = params.put(name, w);
        if (old != null && old != w) {
            old.close();
        }
    }

    /**
     * Grows the vocabulary to {@code newSize} rows: new embedding (and untied LM-head) rows start at the mean of
     * the existing rows, the usual initialization for added tokens.
     */
    public void resizeVocab(int newSize) {
        int old = vocabSize();
        if (newSize == old) {
            return;
        }
        if (newSize < old) {
            throw new IllegalArgumentException("cannot shrink the vocabulary from " + old + " to " + newSize);
        }
        Function<NDArray, NDArray> grow = w -> {
            try (NDManager tmp = manager.newSubManager()) {
                NDArray mean = w.mean(new int[] { 0 }, true);
                mean.attach(tmp);
                NDArray rows = mean.repeat(0, newSize - old);
                rows.attach(tmp);
                NDArray grown = NDArrays.concat(new NDList(w, rows), 0);
                grown.attach(manager);
                return grown;
            }
        };
        Linear head = lmHead();
        boolean tied = spec.tiedEmbeddings();
        NDArray newEmbed = grow.apply(embedWeight());
        if (!tied) {
            head.replaceWeight(grow.apply(head.weight()));
        }
        replaceEmbedWeight(newEmbed);
    }

    // ---- forward ----------------------------------------------------------------------------------------

    /** Token embeddings {@code [B, T, D]} for {@code ids [B, T]}, in ids' manager. */
    public NDArray embed(NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, embedWeight(), SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Final (normalized) hidden states {@code [B, T, D]}.
     *
     * @param ids {@code [B, T]} int64 token ids; its manager receives the result
     * @param positions {@code [B, T]} int64 rotary positions (0-based per sequence, so padding does not shift them)
     * @param mask which keys each query sees
     */
    public final NDArray forward(NDArray ids, NDArray positions, AttentionMask mask) {
        Shape s = ids.getShape();
        if (s.dimension() != 2 || !positions.getShape().equals(s) || !mask.keyValid().getShape().equals(s)) {
            throw new IllegalArgumentException("ids, positions and mask must all be [B, T], got " + s + ", "
                + positions.getShape() + ", " + mask.keyValid().getShape());
        }
        int maxPosition;
        try (NDArray max = positions.max()) {
            maxPosition = (int) max.toType(DataType.INT64, false).getLong();
        }
        Attention.Masks masks = new Attention.Masks(ids.getManager(), mask, (int) s.get(1));
        try {
            return hidden(ids, positions, maxPosition, masks);
        } finally {
            masks.close();
        }
    }

    /** Family-specific layer stack; returns final-normed hidden states in ids' manager. */
    protected abstract NDArray hidden(NDArray ids, NDArray positions, int maxPosition, Attention.Masks masks);

    /** LM-head logits {@code [..., V]} of hidden states {@code [..., D]}. */
    public NDArray logits(NDArray hidden) {
        return lmHead().forward(hidden);
    }

    /** Frees the weights. */
    @Override
    public void close() {
        manager.close();
    }

    // ---- helpers shared by families ---------------------------------------------------------------------

    /** Splits {@code x [B, T, H*hd]} into heads {@code [B, H, T, hd]}. */
    protected static NDArray heads(NDArray x, long heads, long headDim) {
        Shape s = x.getShape();
        try (NDArray r = x.reshape(new Shape(s.get(0), s.get(1), heads, headDim))) {
            return r.transpose(0, 2, 1, 3);
        }
    }

    /** Joins heads {@code [B, H, T, hd]} into {@code [B, T, H*hd]}. */
    protected static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        try (NDArray t = x.transpose(0, 2, 1, 3)) {
            return t.reshape(new Shape(s.get(0), s.get(2), s.get(1) * s.get(3)));
        }
    }

    /** RMSNorm as transformers computes it: in float32, scaled by the weight after casting back. */
    protected static NDArray rmsNorm(NDArray x, NDArray weight, float eps) {
        DataType dt = x.getDataType();
        NDArray xf = dt == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray variance = xf.square().mean(new int[] { -1 }, true);
        NDArray normed = xf.div(Scalars.add(variance, eps).sqrt());
        if (dt != DataType.FLOAT32) {
            normed = normed.toType(dt, false);
        }
        return normed.mul(weight);
    }

    /** Runs {@code body} on the residual stream {@code h} in a child scope; only its result survives. */
    protected static NDArray scoped(NDArray h, Function<NDArray, NDArray> body) {
        NDManager outer = h.getManager();
        try (NDManager scope = outer.newSubManager()) {
            h.attach(scope);
            NDArray out = body.apply(h);
            out.attach(outer);
            return out;
        }
    }
}
