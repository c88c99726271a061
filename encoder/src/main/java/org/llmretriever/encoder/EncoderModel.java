package org.llmretriever.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.llmretriever.encoder.checkpoint.Checkpoint;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.checkpoint.HubDownloader;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.PromptTemplate;
import org.llmretriever.encoder.embed.TokenWeights;
import org.llmretriever.encoder.lora.PeftAdapter;
import org.llmretriever.encoder.model.Architectures;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.ModelSpec;
import org.llmretriever.encoder.model.TokenBatch;
import org.llmretriever.encoder.runtime.Scalars;
import org.llmretriever.encoder.runtime.TorchRuntime;
import org.llmretriever.encoder.tokenize.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongBinaryOperator;

/**
 * A decoder-only LLM used as a text embedder: loads a Hugging Face directory (or hub id), tokenizes with the
 * model's own tokenizer.json, applies query/passage prompts, truncates to {@code max_tokens}, groups texts into
 * length-sorted batches under a token budget, runs the batched causal forward and pools. Thread-safe: concurrent
 * {@link #embed} calls share the weights and use their own scratch memory.
 */
public final class EncoderModel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EncoderModel.class);
    /**
     * On CPU, a batch is split so that no intermediate tensor of its forward pass exceeds this size. glibc serves
     * allocations above its mmap threshold (32 MiB at most, less in the per-thread arenas JNI calls use) with fresh
     * pages from the kernel, so every larger tensor pays one page fault per 4 KiB on each forward; in a VM that made
     * a batch of 32 × 128 tokens slower than one of 16 (939 vs 1,449 tokens/s on an AMD EPYC, docs/performance.md).
     * Below the threshold freed memory is reused. Sub-batches cost little: a part keeps ≥ 3 sequences and, for
     * passages, hundreds of GEMM rows.
     */
    public static final long CPU_ACTIVATION_BUDGET_BYTES = 24L << 20;

    private final Path dir;
    private final EncoderOptions options;
    private final DecoderModel model;
    private final TextTokenizer tokenizer;
    private final long[] specialPrefix;
    private final long[] specialSuffix;
    private final Integer eosId;
    private final Integer bosId;
    private final long padId;
    /** Largest intermediate tensor one forward may allocate (0 = no limit); see {@link #CPU_ACTIVATION_BUDGET_BYTES}. */
    private long activationBudget;
    /** False for views made by {@link #withOptions}: they share the transformer and must not close it. */
    private final boolean ownsModel;
    /** Per-token weights of {@code weighted_mean} pooling (null for other poolings). */
    private final TokenWeights tokenWeights;

    private EncoderModel(Path dir, EncoderOptions options, DecoderModel model, TextTokenizer tokenizer, JsonNode tokenizerConfig,
                         JsonNode generationConfig, TokenWeights tokenWeights) {
        this.ownsModel = true;
        this.dir = dir;
        this.options = options;
        this.tokenWeights = tokenWeights;
        this.model = model;
        this.tokenizer = tokenizer;
        long[] with = tokenizer.encode("a", true);
        long[] without = tokenizer.encode("a", false);
        int at = indexOf(with, without);
        this.specialPrefix = at < 0 ? new long[0] : Arrays.copyOfRange(with, 0, at);
        this.specialSuffix = at < 0 ? new long[0] : Arrays.copyOfRange(with, at + without.length, with.length);
        this.eosId = specialId(model, tokenizer, tokenizerConfig, generationConfig, "eos").orElse(null);
        this.bosId = specialId(model, tokenizer, tokenizerConfig, generationConfig, "bos").orElse(null);
        Optional<Integer> pad = specialId(model, tokenizer, tokenizerConfig, generationConfig, "pad");
        this.padId = pad.orElse(eosId != null ? eosId : 0);
        this.activationBudget = model.device().isGpu() ? 0 : CPU_ACTIVATION_BUDGET_BYTES;
    }

    private EncoderModel(EncoderModel base, EncoderOptions options, TextTokenizer tokenizer, TokenWeights tokenWeights) {
        checkOptions(base.model.spec(), options);
        if (options.pooling().mode() == Pooling.Mode.WEIGHTED_MEAN && tokenWeights == null) {
            throw new IllegalArgumentException("weighted_mean pooling needs token weights (" + TokenWeights.FILE + "); this model has none");
        }
        this.ownsModel = false;
        this.dir = base.dir;
        this.options = options;
        this.tokenWeights = tokenWeights;
        this.model = base.model;
        this.tokenizer = tokenizer;
        this.specialPrefix = base.specialPrefix;
        this.specialSuffix = base.specialSuffix;
        this.eosId = base.eosId;
        this.bosId = base.bosId;
        this.padId = base.padId;
        this.activationBudget = base.activationBudget;
    }

    /** Tests: the activation budget of the embedding loop (0 = none). */
    void setActivationBudget(long bytes) {
        this.activationBudget = bytes;
    }

    /**
     * A view embedding with other options (pooling, prompts) and possibly an extended tokenizer, sharing this
     * model's weights (the trainer switches to LLaRA's pooling this way). Closing the view closes neither.
     */
    public EncoderModel withOptions(EncoderOptions newOptions, TextTokenizer newTokenizer) {
        return new EncoderModel(this, newOptions, newTokenizer, tokenWeights);
    }

    /**
     * A view pooling with {@code weighted_mean} under the given per-token weights (the trainer's, computed over the
     * corpus it adapts to), sharing this model's weights and tokenizer.
     */
    public EncoderModel withTokenWeights(TokenWeights weights) {
        return new EncoderModel(this, options.withPooling(Pooling.WEIGHTED_MEAN), tokenizer, weights);
    }

    /** The per-token weights of {@code weighted_mean} pooling, if this model pools so. */
    public Optional<TokenWeights> tokenWeights() {
        return Optional.ofNullable(tokenWeights);
    }

    /** Loads a model directory with the given options. */
    public static EncoderModel load(Path dir, EncoderOptions options) {
        Device device = resolveDevice(options.device());
        DataType dtype = resolveDType(options.dtype(), device);
        LOG.info("loading {} on {} in {} (device={}, dtype={} requested)", dir, device, dtype, options.device(), options.dtype());
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            Path tokFile = ckpt.tokenizerFile().orElseThrow(() -> new CheckpointException("missing tokenizer.json in " + dir));
            TextTokenizer tok = TextTokenizer.load(tokFile);
            DecoderModel m;
            try {
                checkOptions(Architectures.validate(ckpt), options);
                m = Architectures.load(ckpt, device, dtype);
            } catch (RuntimeException e) {
                tok.close();
                throw e;
            }
            try {
                if (options.adapter() != null) {
                    PeftAdapter.load(m, options.adapter()).mergeAndRemove(m);
                }
                m.setBlockwiseAttention(options.blockwiseAbove(), options.attentionBlock());
                TokenWeights weights = options.pooling().mode() == Pooling.Mode.WEIGHTED_MEAN ? requireTokenWeights(dir) : null;
                return new EncoderModel(dir, options, m, tok, ckpt.sideFile("tokenizer_config.json").orElse(null),
                    ckpt.sideFile("generation_config.json").orElse(null), weights);
            } catch (RuntimeException e) {
                m.close();
                tok.close();
                throw e;
            }
        }
    }

    /** The directory's {@link TokenWeights#FILE}, or a {@link CheckpointException} saying it is needed. */
    public static TokenWeights requireTokenWeights(Path dir) {
        return TokenWeights.read(dir).orElseThrow(() -> new CheckpointException("weighted_mean pooling needs per-token weights in "
            + dir.resolve(TokenWeights.FILE) + " (adapt writes them); there is no such file: choose another pooling or adapt the model"));
    }

    /**
     * Refuses options that contradict what the checkpoint's config.json says about attention, naming the key:
     * transformers 5.2+'s {@code is_causal: false} (the checkpoint was trained to attend bidirectionally) with causal
     * attention, and bidirectional attention over a sliding window that inputs of {@code max_tokens} would reach
     * (the bidirectional mask here has no window).
     */
    public static void checkOptions(ModelSpec spec, EncoderOptions options) {
        checkAttention(spec, options.attention(), options.maxTokens());
    }

    /** {@link #checkOptions} from the two fields it reads (for callers that hold no full options, e.g. registration). */
    public static void checkAttention(ModelSpec spec, EncoderOptions.Attention attention, int maxTokens) {
        ModelConfig c = spec.config();
        if (c.has("is_causal") && !c.optBool("is_causal", true) && attention == EncoderOptions.Attention.CAUSAL) {
            throw new CheckpointException("config field 'is_causal' = false in " + c.source()
                + ": the checkpoint attends bidirectionally; set attention to 'bidirectional'");
        }
        if (attention == EncoderOptions.Attention.BIDIRECTIONAL) {
            int window = spec.maxSlidingWindow();
            if (window > 0 && maxTokens > window) {
                throw new CheckpointException("config field 'sliding_window' = " + window + " in " + c.source()
                    + ": bidirectional attention with a sliding window is not implemented; use max_tokens <= " + window
                    + " (the window then never applies) or causal attention");
            }
        }
    }

    /** Downloads {@code org/name} from the Hugging Face hub into the local cache (resumable) and loads it. */
    public static EncoderModel fromHub(String repoId, EncoderOptions options) {
        Path dir = new HubDownloader().download(repoId, "main");
        return load(dir, options);
    }

    /** Validates a directory from config + headers only and returns what it implies (no weights read). */
    public static ModelSpec inspect(Path dir) {
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            ckpt.tokenizerFile().orElseThrow(() -> new CheckpointException("missing tokenizer.json in " + dir));
            return Architectures.validate(ckpt);
        }
    }

    static Device resolveDevice(EncoderOptions.DeviceChoice choice) {
        int gpus = TorchRuntime.engine().getGpuCount();
        return switch (choice) {
            case CPU -> Device.cpu();
            case CUDA -> {
                if (gpus == 0) {
                    throw new IllegalArgumentException(
                        "device 'cuda' requested but libtorch sees no CUDA device (CPU build, or no driver); use device 'auto' or 'cpu'");
                }
                yield Device.gpu();
            }
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
        };
    }

    static DataType resolveDType(EncoderOptions.DTypeChoice choice, Device device) {
        return switch (choice) {
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT16 -> DataType.FLOAT16;
            case AUTO -> device.isGpu() ? DataType.FLOAT16 : DataType.FLOAT32;
        };
    }

    private static int indexOf(long[] hay, long[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** bos/eos/pad id from config.json, generation_config.json, or tokenizer_config.json's token string. */
    private static Optional<Integer> specialId(DecoderModel m, TextTokenizer tok, JsonNode tc, JsonNode gen, String which) {
        Optional<Integer> fromConfig = m.config().tokenId(which + "_token_id");
        if (fromConfig.isPresent() && fromConfig.get() >= 0) {
            return fromConfig;
        }
        if (gen != null && gen.hasNonNull(which + "_token_id")) {
            JsonNode g = gen.get(which + "_token_id");
            int id = g.isArray() ? (g.isEmpty() ? -1 : g.get(0).asInt()) : g.asInt(-1);
            if (id >= 0) {
                return Optional.of(id);
            }
        }
        if (tc != null) {
            JsonNode t = tc.get(which + "_token");
            String s = t == null || t.isNull() ? null : t.isTextual() ? t.asText() : t.path("content").asText(null);
            if (s != null) {
                OptionalInt id = tok.tokenId(s);
                if (id.isPresent()) {
                    return Optional.of(id.getAsInt());
                }
            }
        }
        return Optional.empty();
    }

    /** The model directory. */
    public Path dir() {
        return dir;
    }

    /** Options in use. */
    public EncoderOptions options() {
        return options;
    }

    /** The transformer. */
    public DecoderModel model() {
        return model;
    }

    /** The tokenizer. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Vector dimension. */
    public int dimension() {
        return model.hiddenSize();
    }

    /** End-of-sequence id, if known. */
    public Optional<Integer> eosId() {
        return Optional.ofNullable(eosId);
    }

    /** Beginning-of-sequence id, if known. */
    public Optional<Integer> bosId() {
        return Optional.ofNullable(bosId);
    }

    /** Padding id. */
    public long padId() {
        return padId;
    }

    /**
     * Token sequences ready for the model, plus how many were truncated, and for {@code text_mean} pooling each
     * sequence's text span (else null).
     */
    public record Prepared(List<long[]> sequences, int truncated, List<int[]> spans) {
        /** Without spans (every pooling but {@code text_mean}). */
        public Prepared(List<long[]> sequences, int truncated) {
            this(sequences, truncated, null);
        }
    }

    /**
     * One tokenized input: its ids, whether it was shortened and, for {@code text_mean} pooling, the positions
     * {@code [from, to)} of the text's own tokens in {@code ids} (else null).
     */
    public record Tokenized(long[] ids, boolean truncated, int[] span) {
        /** Without a span. */
        public Tokenized(long[] ids, boolean truncated) {
            this(ids, truncated, null);
        }
    }

    /**
     * Tokenizes texts as {@link #embed} does: prompt applied, special tokens added, truncated to max_tokens
     * (keeping the prompt and, for last-token pooling, the appended EOS), or rejected under {@code fail}.
     * Any bad text fails the whole call; see {@link #tokenize} for one text at a time.
     */
    public Prepared prepare(List<String> texts, Kind kind) {
        List<long[]> out = new ArrayList<>(texts.size());
        List<int[]> spans = options.pooling().mode() == Pooling.Mode.TEXT_MEAN ? new ArrayList<>(texts.size()) : null;
        int truncated = 0;
        for (int i = 0; i < texts.size(); i++) {
            Tokenized t;
            try {
                t = tokenize(texts.get(i), kind, options.truncation());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("text #" + i + " " + e.getMessage(), e);
            }
            out.add(t.ids());
            if (spans != null) {
                spans.add(t.span());
            }
            truncated += t.truncated() ? 1 : 0;
        }
        return new Prepared(out, truncated, spans);
    }

    /**
     * Tokenizes one text with an explicit truncation policy; an empty text, or an over-long one under
     * {@code FAIL}, is an {@link IllegalArgumentException} whose message starts with what is wrong.
     */
    public Tokenized tokenize(String text, Kind kind, EncoderOptions.Truncation truncation) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty; nothing to embed");
        }
        PromptTemplate prompt = options.prompt(kind);
        boolean appendEos = appendsEos();
        long[] ids = withEos(tokenizer.encode(prompt.apply(text), true), appendEos);
        boolean textMean = options.pooling().mode() == Pooling.Mode.TEXT_MEAN;
        if (ids.length <= options.maxTokens()) {
            return new Tokenized(ids, false, textMean ? textSpan(ids, text, prompt) : null);
        }
        if (truncation == EncoderOptions.Truncation.FAIL) {
            throw new IllegalArgumentException("has " + ids.length + " tokens, more than max_tokens=" + options.maxTokens());
        }
        long[] cut = truncate(text, prompt, appendEos);
        if (!textMean) {
            return new Tokenized(cut, true);
        }
        // truncate() joins the parts as tokenized separately, so the text's tokens sit exactly between them
        int from = specialPrefix.length + (prompt.prefix().isEmpty() ? 0 : tokenizer.encode(prompt.prefix(), false).length);
        int to = cut.length - specialSuffix.length - (prompt.suffix().isEmpty() ? 0 : tokenizer.encode(prompt.suffix(), false).length);
        return new Tokenized(cut, true, new int[] { from, to });
    }

    /**
     * Where the text's own tokens are in {@code ids} (the prompted text tokenized as one string), as LLM2Vec finds
     * them: as many tokens as the text has when tokenized alone, ending where the prompt suffix and trailing special
     * tokens begin; never the leading special tokens.
     */
    private int[] textSpan(long[] ids, String text, PromptTemplate prompt) {
        int n = tokenizer.encode(text, false).length;
        int trail = specialSuffix.length + (prompt.suffix().isEmpty() ? 0 : tokenizer.encode(prompt.suffix(), false).length);
        int to = Math.max(specialPrefix.length + 1, ids.length - trail);
        int from = Math.max(specialPrefix.length, to - n);
        return new int[] { Math.min(from, ids.length - 1), Math.min(to, ids.length) };
    }

    /**
     * Model input for already-tokenized text (a crop, a passage) exactly as {@link #embed} would build it for that
     * text: special tokens, the kind's prompt around it and, for last-token pooling, EOS. Used by the trainer so
     * training sees what inference sees.
     */
    public long[] sequenceFor(long[] bodyIds, Kind kind) {
        PromptTemplate prompt = options.prompt(kind);
        long[] pre = prompt.prefix().isEmpty() ? new long[0] : tokenizer.encode(prompt.prefix(), false);
        long[] suf = prompt.suffix().isEmpty() ? new long[0] : tokenizer.encode(prompt.suffix(), false);
        boolean appendEos = appendsEos();
        return withEos(concat(specialPrefix, pre, bodyIds, suf, specialSuffix), appendEos);
    }

    /**
     * Whether inputs get the model's EOS appended: for last-token pooling, when the EOS id is known and the tokenizer
     * does not end texts with special tokens of its own. A tokenizer template that appends one (Qwen3-Embedding's and
     * gte-Qwen2's append {@code <|endoftext|>}, which is not config.json's {@code eos_token_id} in Qwen3-Embedding) is the
     * model's declaration of how an input ends; the last token is then that token, as in the authors' code.
     */
    public boolean appendsEos() {
        return options.pooling().mode() == Pooling.Mode.LAST_TOKEN && eosId != null && specialSuffix.length == 0;
    }

    /** Special tokens the tokenizer puts before a text (e.g. BOS), possibly none. */
    public long[] specialPrefix() {
        return specialPrefix.clone();
    }

    private long[] withEos(long[] ids, boolean appendEos) {
        if (!appendEos || (ids.length > 0 && ids[ids.length - 1] == eosId)) {
            return ids;
        }
        long[] r = Arrays.copyOf(ids, ids.length + 1);
        r[ids.length] = eosId;
        return r;
    }

    /** Keeps the prompt and special tokens whole; shortens the text tokens to fit. */
    private long[] truncate(String text, PromptTemplate prompt, boolean appendEos) {
        long[] pre = prompt.prefix().isEmpty() ? new long[0] : tokenizer.encode(prompt.prefix(), false);
        long[] suf = prompt.suffix().isEmpty() ? new long[0] : tokenizer.encode(prompt.suffix(), false);
        long[] body = tokenizer.encode(text, false);
        int fixed = specialPrefix.length + pre.length + suf.length + specialSuffix.length + (appendEos ? 1 : 0);
        int keep = options.maxTokens() - fixed;
        if (keep < 1) {
            throw new IllegalArgumentException(
                "max_tokens=" + options.maxTokens() + " leaves no room for text after the prompt (" + fixed + " tokens)");
        }
        long[] ids = concat(specialPrefix, pre, Arrays.copyOf(body, Math.min(keep, body.length)), suf, specialSuffix);
        long[] r = appendEos && (ids.length == 0 || ids[ids.length - 1] != eosId) ? Arrays.copyOf(ids, ids.length + 1) : ids;
        if (r != ids) {
            r[ids.length] = eosId;
        }
        return r;
    }

    private static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] r = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, r, at, p.length);
            at += p.length;
        }
        return r;
    }

    /** Embeds texts; vectors come back in input order. */
    public Embeddings embed(List<String> texts, Kind kind) {
        if (texts.isEmpty()) {
            return new Embeddings(new float[0][], 0, 0, 0, 0);
        }
        Prepared p = prepare(texts, kind);
        return embedPrepared(p.sequences(), p.truncated(), p.spans());
    }

    /** Embeds already-tokenized sequences (from {@link #prepare}); not for {@code text_mean} pooling, which needs spans. */
    public Embeddings embedPrepared(List<long[]> sequences, int truncated) {
        return embedPrepared(sequences, truncated, null);
    }

    /**
     * Embeds already-tokenized sequences; {@code spans} (one per sequence, from {@link Tokenized#span()}) are
     * required by {@code text_mean} pooling and ignored by the others.
     */
    public Embeddings embedPrepared(List<long[]> sequences, int truncated, List<int[]> spans) {
        float[][] out = new float[sequences.size()][];
        long tokens = 0;
        long padded = 0;
        List<List<Integer>> batches = LengthBuckets.plan(sequences, options.maxBatchTokens(), options.maxBatchSize());
        if (activationBudget > 0) {
            boolean causal = options.attention() != EncoderOptions.Attention.BIDIRECTIONAL;
            batches = LengthBuckets.splitForActivations(batches, sequences, (b, t) -> model.largestActivationBytes(b, t, causal),
                activationBudget);
        }
        for (List<Integer> batch : batches) {
            List<long[]> seqs = new ArrayList<>(batch.size());
            for (int i : batch) {
                seqs.add(sequences.get(i));
            }
            TokenBatch tb = TokenBatch.of(seqs, padId, options.paddingSide());
            List<int[]> batchSpans = null;
            if (spans != null) {
                batchSpans = new ArrayList<>(batch.size());
                for (int i : batch) {
                    batchSpans.add(spans.get(i));
                }
            }
            float[][] v = pooled(tb, batchSpans);
            for (int j = 0; j < batch.size(); j++) {
                out[batch.get(j)] = v[j];
            }
            tokens += tb.realTokens();
            padded += tb.paddedTokens();
        }
        return new Embeddings(out, truncated, tokens, padded, batches.size());
    }

    /** One forward pass and pooling; vectors in batch order. */
    private float[][] pooled(TokenBatch tb, List<int[]> spans) {
        try (NDManager m = model.manager().newSubManager()) {
            TokenBatch.Inputs in = tb.toArrays(m);
            NDArray hidden = model.forward(in.ids(), in.positions(), attentionMask(in.keyValid()));
            NDArray v = poolHidden(hidden, tb, in.keyValid(), spans);
            if (options.normalize()) {
                v = unitRows(v);
            }
            float[] flat = v.toType(DataType.FLOAT32, false).toDevice(Device.cpu(), false).toFloatArray();
            int d = (int) v.getShape().get(1);
            float[][] rows = new float[tb.size()][];
            for (int b = 0; b < rows.length; b++) {
                rows[b] = Arrays.copyOfRange(flat, b * d, (b + 1) * d);
            }
            return rows;
        }
    }

    /** The attention mask of an embedding forward pass under this model's options ({@code keyValid [B, T]}). */
    public AttentionMask attentionMask(NDArray keyValid) {
        return options.attention() == EncoderOptions.Attention.BIDIRECTIONAL ? AttentionMask.bidirectional(keyValid) : AttentionMask.causal(keyValid);
    }

    /**
     * Pools hidden states {@code [B, T, D]} into {@code [B, D]} float32 (in hidden's manager) as this model's options
     * say; {@code spans} (per sequence, positions within the sequence) are needed by {@code text_mean} only.
     */
    public NDArray poolHidden(NDArray hidden, TokenBatch tb, NDArray keyValid, List<int[]> spans) {
        return pool(hidden, tb, keyValid, options.pooling(), spans, tokenWeights);
    }

    /**
     * Each row of {@code v [B, D]} divided by its L2 norm (at least 1e-12, so a zero row stays zero): the normalisation
     * of {@code normalize: true} embeddings, which training must share so its cosines are the ones served.
     */
    public static NDArray unitRows(NDArray v) {
        return v.div(Scalars.maximum(v.norm(new int[] { -1 }, true), 1e-12f));
    }

    /** Pools hidden states {@code [B, T, D]} into {@code [B, D]} float32 (in hidden's manager); not {@code text_mean} or {@code weighted_mean}. */
    public static NDArray pool(NDArray hidden, TokenBatch tb, NDArray keyValid, Pooling pooling) {
        return pool(hidden, tb, keyValid, pooling, null, null);
    }

    /**
     * Pools hidden states {@code [B, T, D]} into {@code [B, D]} float32 (in hidden's manager); {@code spans} (per
     * sequence, positions within the sequence) are needed by {@code text_mean} only, {@code weights} by
     * {@code weighted_mean} only.
     */
    public static NDArray pool(NDArray hidden, TokenBatch tb, NDArray keyValid, Pooling pooling, List<int[]> spans, TokenWeights weights) {
        NDArray h = hidden.getDataType() == DataType.FLOAT32 ? hidden : hidden.toType(DataType.FLOAT32, false);
        long b = h.getShape().get(0);
        long d = h.getShape().get(2);
        if (pooling.mode() == Pooling.Mode.WEIGHTED_MEAN || pooling.mode() == Pooling.Mode.TEXT_MEAN) {
            int t = (int) h.getShape().get(1);
            float[] w = pooling.mode() == Pooling.Mode.WEIGHTED_MEAN ? tokenWeightsPerPosition(tb, t, weights) : spanWeightsPerPosition(tb, t, spans);
            NDArray positionWeights = h.getManager().create(w, new Shape(b, t, 1));
            return h.mul(positionWeights).sum(new int[] { 1 });
        }
        if (pooling.mode() == Pooling.Mode.MEAN) {
            NDArray mask = keyValid.toType(DataType.FLOAT32, false).expandDims(2); // [B, T, 1]
            NDArray sum = h.mul(mask).sum(new int[] { 1 });                       // [B, D]
            return sum.div(mask.sum(new int[] { 1 }));
        }
        int n = pooling.mode() == Pooling.Mode.LAST_TOKEN ? 1 : pooling.tokens();
        long[] idx = new long[(int) b * n];
        for (int i = 0; i < b; i++) {
            if (tb.length(i) < n) {
                throw new IllegalArgumentException("sequence " + i + " has " + tb.length(i) + " tokens, fewer than the " + n + " pooled");
            }
            int last = tb.start(i) + tb.length(i) - 1;
            for (int j = 0; j < n; j++) {
                idx[i * n + j] = last - (n - 1) + j;
            }
        }
        NDArray index = h.getManager().create(idx, new Shape(b, n, 1)).broadcast(new Shape(b, n, d));
        NDArray picked = h.gather(index, 1); // [B, n, D]
        return n == 1 ? picked.squeeze(1) : picked.mean(new int[] { 1 });
    }

    /** {@code weighted_mean}: each real token's weight over its sequence's total, {@code [B * T]} (0 on padding). */
    private static float[] tokenWeightsPerPosition(TokenBatch tb, int t, TokenWeights weights) {
        if (weights == null) {
            throw new IllegalArgumentException("weighted_mean pooling needs token weights (" + TokenWeights.FILE + ")");
        }
        float[] w = new float[tb.size() * t];
        for (int i = 0; i < tb.size(); i++) {
            long[] seq = tb.sequences().get(i);
            double total = 0;
            for (long id : seq) {
                total += weights.weight(id);
            }
            for (int j = 0; j < seq.length; j++) {
                // a text of weight-0 tokens only falls back to the plain mean rather than dividing by zero
                w[i * t + tb.start(i) + j] = total > 0 ? (float) (weights.weight(seq[j]) / total) : 1f / seq.length;
            }
        }
        return w;
    }

    /** {@code text_mean}: 1 / span length on each token of the text's span, {@code [B * T]} (0 elsewhere). */
    private static float[] spanWeightsPerPosition(TokenBatch tb, int t, List<int[]> spans) {
        if (spans == null || spans.size() != tb.size()) {
            throw new IllegalArgumentException("text_mean pooling needs each sequence's text span (EncoderModel.embed/prepare/tokenize give them)");
        }
        float[] w = new float[tb.size() * t];
        for (int i = 0; i < tb.size(); i++) {
            int[] sp = spans.get(i);
            if (sp == null || sp[0] < 0 || sp[1] > tb.length(i) || sp[0] >= sp[1]) {
                throw new IllegalArgumentException("sequence " + i + " has no valid text span for text_mean pooling");
            }
            for (int j = sp[0]; j < sp[1]; j++) {
                w[i * t + tb.start(i) + j] = 1f / (sp[1] - sp[0]);
            }
        }
        return w;
    }

    /**
     * Greedy decoding (used by tests as an oracle check): appends the most likely token until {@code maxNewTokens}
     * or EOS. No KV cache: each step reruns the full sequence, fine for the small prompts it serves.
     */
    public long[] generateGreedy(long[] prompt, int maxNewTokens) {
        List<Long> seq = new ArrayList<>();
        for (long t : prompt) {
            seq.add(t);
        }
        for (int step = 0; step < maxNewTokens; step++) {
            long next;
            try (NDManager m = model.manager().newSubManager()) {
                long[] ids = seq.stream().mapToLong(Long::longValue).toArray();
                TokenBatch.Inputs in = TokenBatch.of(List.of(ids), padId, TokenBatch.PaddingSide.RIGHT).toArrays(m);
                NDArray hidden = model.forward(in.ids(), in.positions(), AttentionMask.causal(in.keyValid()));
                NDArray last = hidden.get(":, -1, :");
                next = model.logits(last).argMax(-1).toType(DataType.INT64, false).toLongArray()[0];
            }
            seq.add(next);
            if (eosId != null && next == eosId) {
                break;
            }
        }
        return seq.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public void close() {
        if (ownsModel) {
            model.close();
            tokenizer.close();
        }
    }

    /**
     * Orders inputs by length and cuts batches under a padded-token budget (exposed for the benchmark). A batch
     * also ends where lengths drop below {@link #BUCKET_RATIO} of its longest input, so every batch is one length
     * bucket and short texts are never padded to long ones.
     */
    public static final class LengthBuckets {
        /** Shortest input of a batch relative to its longest. */
        public static final double BUCKET_RATIO = 0.75;
        /** A batch is not cut for length below this many inputs: tiny batches cost more in GEMM efficiency than padding. */
        public static final int MIN_BUCKET = 8;

        private LengthBuckets() {}

        /**
         * Splits each batch whose largest intermediate tensor ({@code activationBytes(B, longest length)}) exceeds
         * {@code budgetBytes} into the fewest consecutive parts that fit, of sizes differing by at most one (a single
         * sequence always forms a part).
         */
        public static List<List<Integer>> splitForActivations(List<List<Integer>> batches, List<long[]> sequences,
                                                              LongBinaryOperator activationBytes, long budgetBytes) {
            List<List<Integer>> out = new ArrayList<>();
            for (List<Integer> batch : batches) {
                long longest = batch.stream().mapToInt(i -> sequences.get(i).length).max().orElse(0);
                if (batch.size() <= 1 || activationBytes.applyAsLong(batch.size(), longest) <= budgetBytes) {
                    out.add(batch);
                    continue;
                }
                long perSequence = Math.max(1, activationBytes.applyAsLong(1, longest));
                int fit = (int) Math.max(1, Math.min(batch.size(), budgetBytes / perSequence));
                int parts = (batch.size() + fit - 1) / fit;
                for (int p = 0, start = 0; p < parts; p++) {
                    int size = batch.size() / parts + (p < batch.size() % parts ? 1 : 0);
                    out.add(new ArrayList<>(batch.subList(start, start + size)));
                    start += size;
                }
            }
            return out;
        }

        /** Batches of input indices; each batch's B × (longest length) stays within {@code maxBatchTokens}. */
        public static List<List<Integer>> plan(List<long[]> sequences, int maxBatchTokens, int maxBatchSize) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < sequences.size(); i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingInt((Integer i) -> sequences.get(i).length).reversed().thenComparingInt(i -> i));
            List<List<Integer>> batches = new ArrayList<>();
            List<Integer> cur = new ArrayList<>();
            int longest = 0;
            for (int i : order) {
                int len = sequences.get(i).length;
                int newLongest = Math.max(longest, len);
                boolean otherBucket = cur.size() >= MIN_BUCKET && len < BUCKET_RATIO * longest;
                if (!cur.isEmpty() && ((long) (cur.size() + 1) * newLongest > maxBatchTokens || cur.size() >= maxBatchSize || otherBucket)) {
                    batches.add(cur);
                    cur = new ArrayList<>();
                    newLongest = len;
                }
                cur.add(i);
                longest = newLongest;
            }
            if (!cur.isEmpty()) {
                batches.add(cur);
            }
            return batches;
        }
    }
}
