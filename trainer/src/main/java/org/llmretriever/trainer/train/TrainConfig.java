package org.llmretriever.trainer.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every knob of {@code adapt}. The initial values are the defaults of {@code ./llm-retriever adapt} (its options
 * read them from here) and of every other caller: chosen on SciFact train for the shipped base model, see
 * docs/quality.md. Mutable on purpose: the CLI and tests set what they need.
 */
public final class TrainConfig {
    /** Objectives, run in sequence. */
    public List<String> objectives = new ArrayList<>(List.of("llm2ir"));
    /** Optimizer steps per objective unless told otherwise (the CLI's llm2ir default is larger: AdaptCommand). */
    public static final int DEFAULT_STEPS = 300;

    /** Optimizer steps per objective. */
    public int steps = DEFAULT_STEPS;
    /** Documents (or passages) per micro-batch. */
    public int batchSize = 32;
    /** Micro-batches per optimizer step. */
    public int gradAccum = 1;
    /** Peak learning rate. */
    public double lr = 1e-3;
    /** Linear warm-up steps. */
    public int warmupSteps = 30;
    /** Decay after warm-up: cosine, linear or constant. */
    public String schedule = "cosine";
    /** Decoupled weight decay (AdamW). */
    public double weightDecay = 0.0;
    /** Global gradient-norm clip (0 = off). */
    public double maxGradNorm = 1.0;
    /** Seed of sampling, crops, initialization and dropout. */
    public long seed = 42;
    /** Longest training sequence in tokens. */
    public int maxTokens = 160;
    /** LLM2IR crop lengths (tokens): the passage view, and both views when the query view is not set. */
    public int cropMin = 48;
    public int cropMax = 128;
    /** LLM2IR query-view lengths (tokens); 0 = symmetric views of cropMin..cropMax, overlapping at random. */
    public int queryCropMin = 8;
    public int queryCropMax = 32;
    /** InfoNCE temperature. */
    public double temperature = 0.05;
    /** llm2ir: weight of the bag-of-words loss (each view's embedding predicts its document's words through the LM head); 0 = off. */
    public double bowWeight = 0;
    /**
     * llm2ir: weight of the TF-IDF teacher's similarity-distillation loss over the batch ({@code LexicalTeacher}); 0 =
     * off. 5 was chosen among 0, 1, 5 and 20 on SciFact train (docs/quality.md).
     */
    public double lexicalTeacher = 5;
    /**
     * llm2ir: pool with {@code weighted_mean} under each token's IDF over the corpus (written beside the model as
     * token_weights.safetensors); the base is loaded with plain mean pooling and switched at the start. On by default:
     * SciFact train nDCG@10 0.201 with mean pooling, 0.242 with it (docs/quality.md).
     */
    public boolean idfPooling = true;
    /** llm2ir with {@code idfPooling}: the pooling weights train too (log-parameterised, starting at the IDF). */
    public boolean trainTokenWeights = false;
    /** llm2ir: each batch document brings up to this many of its TF-IDF neighbours into the batch; 0 = random batches. */
    public int batchNeighbours = 0;
    /** BM25 hard negatives per query view (from the OpenSearch index, or an in-process Lucene index of a file corpus). */
    public int hardNegatives = 0;
    /** llm2ir: passage embeddings of earlier steps kept as extra negatives (a memory queue, no gradient; it restarts empty on --resume); 0 = off. */
    public int queueSize = 0;
    /** Full fine-tuning: keep the token-embedding matrix fixed (it stays a lexical code; see docs/quality.md). */
    public boolean freezeEmbeddings = false;
    /** LoRA rank (0 = full fine-tuning). */
    public int loraRank = 16;
    public double loraAlpha = 32;
    public double loraDropout = 0.05;
    /** LoRA target module names (empty = attention + MLP projections of the family). */
    public List<String> loraTargets = new ArrayList<>();
    /** LLaRA placeholder tokens per suffix. */
    public int llaraTokens = 8;
    /** LLaRA passage length (tokens) for EBAE/EBAR. */
    public int llaraPassageTokens = 64;
    /** Remove English stop words from LLaRA's bag-of-words targets. */
    public boolean llaraStopwords = true;
    /** Weight of the causal-LM loss inside LLaRA. */
    public double llaraClmWeight = 1.0;
    /** Keep at most this many documents in memory (0 = all). */
    public int maxDocs = 50_000;
    /** Measure the model (held-out crop retrieval, and the CLI's --eval-beir) every N steps (0 = never). */
    public int probeEvery = 50;
    /** Write a checkpoint every N steps (0 = only at the end). */
    public int checkpointEvery = 50;
    /** Output directory (adapter/, model/, checkpoints/, metrics.jsonl, summary.json). */
    public Path outDir;
    /** Continue from {@code outDir/checkpoints/latest}. */
    public boolean resume;
    /** Stop after this many steps of the whole run (for tests of interruption); 0 = no limit. */
    public int stopAfterSteps = 0;

    /** Validates values and combinations; messages name the option. */
    public void validate() {
        if (objectives.isEmpty()) {
            throw new IllegalArgumentException("--objective needs at least one of llm2ir, llara, clm");
        }
        for (String o : objectives) {
            if (!List.of("llm2ir", "llara", "clm").contains(o)) {
                throw new IllegalArgumentException("--objective '" + o + "' is unknown (use llm2ir, llara, clm, or a comma-separated sequence)");
            }
        }
        positive("--steps", steps);
        positive("--batch-size", batchSize);
        positive("--grad-accum", gradAccum);
        positive("--max-tokens", maxTokens);
        if (objectives.contains("llm2ir") && batchSize < 2) {
            throw new IllegalArgumentException("--batch-size must be at least 2 for llm2ir (in-batch negatives)");
        }
        if (lr <= 0) {
            throw new IllegalArgumentException("--lr must be positive");
        }
        if (!List.of("cosine", "linear", "constant").contains(schedule)) {
            throw new IllegalArgumentException("--schedule must be cosine, linear or constant, got " + schedule);
        }
        if (objectives.contains("llm2ir")) {
            if (cropMin < 2 || cropMax < cropMin) {
                throw new IllegalArgumentException("need 2 <= --crop-min <= --crop-max, got " + cropMin + " and " + cropMax);
            }
            if (queryCropMax > 0 && (queryCropMin < 2 || queryCropMax < queryCropMin)) {
                throw new IllegalArgumentException("need 2 <= --query-crop-min <= --query-crop-max, got " + queryCropMin + " and " + queryCropMax);
            }
            if (cropMax + 8 > maxTokens) {
                throw new IllegalArgumentException("--crop-max (" + cropMax + ") plus prompt and special tokens must fit --max-tokens (" + maxTokens + ")");
            }
        }
        if (trainTokenWeights && !idfPooling) {
            throw new IllegalArgumentException("--train-token-weights needs --pooling weighted_mean");
        }
        if (batchNeighbours < 0 || batchNeighbours >= batchSize) {
            throw new IllegalArgumentException("--batch-neighbours must be between 0 and --batch-size - 1, got " + batchNeighbours);
        }
        if (bowWeight < 0) {
            throw new IllegalArgumentException("--bow-weight must be 0 or more");
        }
        if (!(lexicalTeacher >= 0) || Double.isInfinite(lexicalTeacher)) {
            throw new IllegalArgumentException("--lexical-teacher must be a finite number, 0 or more, got " + lexicalTeacher);
        }
        if (temperature <= 0) {
            throw new IllegalArgumentException("--temperature must be positive");
        }
        if (loraRank < 0) {
            throw new IllegalArgumentException("--lora-rank must be >= 0 (0 = full fine-tuning)");
        }
        if (objectives.contains("llara")) {
            positive("--llara-tokens", llaraTokens);
            if (llaraPassageTokens < 4 || llaraPassageTokens + 2 * llaraTokens + 40 > maxTokens) {
                throw new IllegalArgumentException("--llara-passage-tokens (" + llaraPassageTokens + ") plus two suffixes of --llara-tokens ("
                    + llaraTokens + ") placeholders and their prompts must fit --max-tokens (" + maxTokens + ")");
            }
        }
        if (queueSize < 0) {
            throw new IllegalArgumentException("--queue must be 0 or more, got " + queueSize);
        }
        if (freezeEmbeddings && lora()) {
            throw new IllegalArgumentException("--freeze-embeddings needs full fine-tuning (--full); LoRA never trains the embeddings");
        }
        if (outDir == null) {
            throw new IllegalArgumentException("--out is required");
        }
    }

    private static void positive(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + v);
        }
    }

    /** Whether parameters are trained through LoRA (else all weights). */
    public boolean lora() {
        return loraRank > 0;
    }
}
