package org.llmretriever.trainer.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.TokenWeights;
import org.llmretriever.encoder.lora.Lora;
import org.llmretriever.encoder.lora.LoraConfig;
import org.llmretriever.encoder.lora.PeftAdapter;
import org.llmretriever.encoder.model.Architectures;
import org.llmretriever.encoder.model.CheckpointSaver;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.LoraAdapter;
import org.llmretriever.encoder.runtime.Scalars;
import org.llmretriever.encoder.runtime.TorchRuntime;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.index.HardNegativeMiner;
import org.llmretriever.trainer.objective.ClmObjective;
import org.llmretriever.trainer.objective.LlaraObjective;
import org.llmretriever.trainer.objective.Llm2IrObjective;
import org.llmretriever.trainer.objective.Objective;
import org.llmretriever.trainer.objective.RetrieverConfig;
import org.llmretriever.trainer.objective.TrainingBatch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * The training loop: objectives run in sequence (phases); each step samples micro-batches deterministically from
 * (seed, phase, step), back-propagates, clips, and updates with AdamW on a warm-up + decay schedule. Checkpoints
 * make a resumed run end bit-identical to an uninterrupted one (CPU); a stop request (Ctrl-C) writes a
 * checkpoint first. At the end it writes the PEFT adapter, the merged Hugging Face checkpoint and how to embed.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    /** Consecutive steps with NaN/Inf gradients after which training stops as diverged. */
    static final int MAX_NON_FINITE_STEPS = 5;

    /** Progress callbacks (the CLI shows a progress bar). */
    public interface Listener {
        /** A phase starts. */
        default void phaseStarted(int phase, String objective, int fromStep, int steps) {}

        /** A step ended. */
        default void stepEnded(int phase, String objective, int step, double loss, double tokensPerSecond) {}

        /** A phase ended. */
        default void phaseEnded(int phase, String objective) {}

        /**
         * A step was skipped: its gradient was not finite (NaN or Inf; fp32), so the weights were left unchanged.
         * {@code parameters} names the trained arrays whose gradient held a NaN or Inf (empty: every gradient was
         * finite and only their norm overflowed).
         */
        default void stepSkipped(int phase, String objective, int step, double loss, List<String> parameters) {}

        /** Probe figures measured after {@code stepsDone} steps of a phase (0: before training). */
        default void probed(int phase, String objective, int stepsDone, Map<String, Double> figures) {}
    }

    /** Extra measurements during training (e.g. nDCG@10 on a labelled split), given the encoder as it is now. */
    public interface Probe {
        Map<String, Double> measure(EncoderModel current) throws IOException;
    }

    /** What a run produced. */
    public record Result(boolean completed, Path modelDir, Path adapterDir, RetrieverConfig retriever, ObjectNode summary) {}

    private final TrainConfig cfg;
    private final EncoderModel base;
    private final Corpus corpus;
    private final HardNegativeMiner miner;
    private final Listener listener;
    private Probe probe;
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    /** A trainer of {@code base} on {@code corpus}; {@code miner} may be null. */
    public Trainer(TrainConfig cfg, EncoderModel base, Corpus corpus, HardNegativeMiner miner, Listener listener) {
        cfg.validate();
        this.cfg = cfg;
        this.base = base;
        this.corpus = corpus;
        this.miner = miner;
        this.listener = listener == null ? new Listener() { } : listener;
    }

    /** Adds measurements to every probe (every {@code probeEvery} steps). */
    public void setProbe(Probe probe) {
        this.probe = probe;
    }

    /** Asks the loop to checkpoint and stop after the current step (Ctrl-C); returns at once. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Waits (up to the given milliseconds) until {@link #run} returned. */
    public boolean awaitFinished(long millis) throws InterruptedException {
        return finished.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    static Objective objective(String name) {
        return switch (name) {
            case "llm2ir" -> new Llm2IrObjective();
            case "llara" -> new LlaraObjective();
            case "clm" -> new ClmObjective();
            default -> throw new IllegalArgumentException("unknown objective " + name);
        };
    }

    /** Seed of one step: a fixed mix of run seed, phase and step. */
    static long stepSeed(long seed, int phase, int step) {
        long h = seed * 0x9E3779B97F4A7C15L + phase * 0xBF58476D1CE4E5B9L + step * 0x94D049BB133111EBL;
        return h ^ (h >>> 31);
    }

    /** Runs (or resumes) training and writes the outputs. */
    public Result run() throws IOException {
        try {
            return doRun();
        } finally {
            finished.countDown();
        }
    }

    /** Initial fp16 loss scale; halved on every overflow, doubled after {@link #LOSS_SCALE_GROWTH_INTERVAL} good steps. */
    private static final float FP16_INITIAL_LOSS_SCALE = 65536f;
    /** Consecutive overflow-free fp16 steps after which the loss scale doubles. */
    private static final int LOSS_SCALE_GROWTH_INTERVAL = 2000;
    /** Forward + backward FLOPs as a multiple of the forward pass's. */
    private static final int TRAIN_FLOPS_PER_FORWARD_FLOP = 3;
    /** Keeps gradient clipping finite for a zero norm. */
    private static final double CLIP_EPSILON = 1e-6;
    /** Largest safetensors shard of the saved model. */
    private static final long MODEL_SHARD_BYTES = 2L << 30;
    /** How many of a phase's last step losses its summary averages. */
    private static final int SUMMARY_LAST_LOSSES = 10;

    /** What the whole run has done so far, across phases (for summary.json). */
    private static final class Totals {
        final long startNanos = System.nanoTime();
        final List<Map<String, Object>> phaseSummaries = new ArrayList<>();
        long tokens;
        double flops;
        int skippedSteps;
    }

    /** One objective's optimizer, schedule and numerical state while its phase runs. */
    private static final class PhaseState {
        final int phase;
        final Objective objective;
        final List<TrainableParam> params;
        final AdamW adam;
        final LrSchedule schedule;
        final List<Double> losses = new ArrayList<>();
        float lossScale;
        int goodSteps;
        int nonFiniteInARow;

        PhaseState(int phase, Objective objective, List<TrainableParam> params, AdamW adam, LrSchedule schedule, float lossScale) {
            this.phase = phase;
            this.objective = objective;
            this.params = params;
            this.adam = adam;
            this.schedule = schedule;
            this.lossScale = lossScale;
        }
    }

    /** The loss (and its named parts), tokens and FLOPs of one step's micro-batches. */
    private record Accumulated(double loss, Map<String, Double> parts, long tokens, double flops) {}

    /** One applied optimizer step, as metrics.jsonl records it. */
    private record StepResult(Accumulated batch, double gradNorm, double lr, double seconds) {}

    private Result doRun() throws IOException {
        Files.createDirectories(cfg.outDir);
        Checkpoints.State resume = cfg.resume ? Checkpoints.load(cfg.outDir, cfg) : null;
        DecoderModel model = base.model();
        TrainContext ctx = new TrainContext(cfg, base, corpus, miner);
        if (cfg.idfPooling && cfg.objectives.contains("llm2ir")) { // the pooling llm2ir trains; LLaRA and clm bring their own
            TokenWeights idf = TokenWeights.inverseDocumentFrequency(ctx.documentFrequencies(), ctx.corpus().size());
            ctx.setEncoder(ctx.encoder().withTokenWeights(idf));
            if (cfg.trainTokenWeights) {
                float[] logs = new float[idf.size()];
                for (int i = 0; i < logs.length; i++) {
                    logs[i] = (float) Math.log(idf.weight(i)); // IDF >= 1, so the log is finite
                }
                NDArray logWeights = model.manager().create(logs);
                logWeights.setRequiresGradient(true);
                ctx.trainTokenWeights(logWeights);
            }
        }
        List<Objective> objectives = new ArrayList<>();
        for (String o : cfg.objectives) {
            objectives.add(objective(o));
        }
        LoraConfig loraConfig = attachLora(model);
        int startPhase = resume == null ? 0 : resume.phase();
        int startStep = resume == null ? 0 : resume.step();
        // Rebuild what earlier phases set up (added tokens, pooling switch) so a resumed run sees the same state.
        for (int p = 0; p < startPhase && p < objectives.size(); p++) {
            preparePhase(ctx, objectives.get(p));
        }
        JniUtils.setGradMode(false);
        Totals totals = new Totals();
        boolean completed = true;
        try (MetricsLog log = new MetricsLog(cfg.outDir.resolve("metrics.jsonl"), startPhase, startStep)) {
            for (int phase = startPhase; phase < objectives.size(); phase++) {
                boolean resuming = resume != null && phase == startPhase;
                PhaseState p = startPhase(ctx, model, phase, objectives.get(phase), resuming ? resume : null);
                int from = phase == startPhase ? startStep : 0;
                completed = runPhase(ctx, model, p, from, log, totals);
                endPhase(model, p, totals);
                if (!completed) {
                    break;
                }
                if (phase + 1 < objectives.size()) { // the next phase starts from here on --resume
                    Checkpoints.save(cfg.outDir, cfg, phase + 1, 0, new AdamW(cfg.weightDecay), p.lossScale, model.vocabSize(), trainables(ctx, model),
                        tokenizerIfExtended(ctx), model.manager());
                }
            }
        }
        return writeOutputs(ctx, model, objectives, loraConfig, totals, completed);
    }

    /** Attaches LoRA when the run trains adapters rather than all weights; null for full fine-tuning. */
    private LoraConfig attachLora(DecoderModel model) {
        if (!cfg.lora()) {
            return null;
        }
        LoraConfig loraConfig = new LoraConfig(cfg.loraRank, (float) cfg.loraAlpha, (float) cfg.loraDropout,
            cfg.loraTargets.isEmpty() ? Lora.defaultTargets(model) : cfg.loraTargets);
        Lora.attach(model, loraConfig, cfg.seed);
        return loraConfig;
    }

    /** Prepares a phase's objective, its parameters and a fresh optimizer, or the checkpointed ones on resume. */
    private PhaseState startPhase(TrainContext ctx, DecoderModel model, int phase, Objective obj, Checkpoints.State resume) throws IOException {
        preparePhase(ctx, obj);
        List<TrainableParam> params = trainables(ctx, model);
        AdamW adam = new AdamW(cfg.weightDecay);
        float lossScale = model.dtype() == DataType.FLOAT16 ? FP16_INITIAL_LOSS_SCALE : 1f;
        if (resume != null) {
            restore(resume, params, adam, model.manager());
            lossScale = resume.lossScale();
        }
        LrSchedule schedule = new LrSchedule(cfg.lr, cfg.warmupSteps, cfg.steps, cfg.schedule);
        return new PhaseState(phase, obj, params, adam, schedule, lossScale);
    }

    /** Runs a phase's steps from {@code from}; false if it stopped early (Ctrl-C or {@code stopAfterSteps}). */
    private boolean runPhase(TrainContext ctx, DecoderModel model, PhaseState p, int from, MetricsLog log, Totals totals) throws IOException {
        String name = p.objective.name();
        listener.phaseStarted(p.phase, name, from, cfg.steps);
        Lora.setTraining(model, true);
        if (from == 0 && cfg.probeEvery > 0) {
            runProbe(ctx, p.objective, p.phase, 0, log);
        }
        for (int step = from; step < cfg.steps; step++) {
            StepResult r = trainStep(ctx, model, p, step, totals, log);
            if (r == null) {
                continue; // skipped: fp16 overflow or a non-finite fp32 gradient
            }
            logStep(log, p, step, r, totals);
            boolean last = step == cfg.steps - 1;
            if (cfg.probeEvery > 0 && ((step + 1) % cfg.probeEvery == 0 || last)) {
                runProbe(ctx, p.objective, p.phase, step + 1, log);
            }
            boolean stopNow = stopRequested || (cfg.stopAfterSteps > 0 && step + 1 >= cfg.stopAfterSteps && !last);
            if (stopNow || (cfg.checkpointEvery > 0 && (step + 1) % cfg.checkpointEvery == 0 && !last)) {
                Checkpoints.save(cfg.outDir, cfg, p.phase, step + 1, p.adam, p.lossScale, model.vocabSize(), p.params,
                    tokenizerIfExtended(ctx), model.manager());
            }
            if (stopNow) {
                return false;
            }
        }
        return true;
    }

    /**
     * One optimizer step: micro-batches seeded by (seed, phase, step), gradient checks, clipping, AdamW. Null if
     * the step was skipped (its gradients are zeroed and the weights unchanged).
     */
    private StepResult trainStep(TrainContext ctx, DecoderModel model, PhaseState p, int step, Totals totals, MetricsLog log) throws IOException {
        long seed = stepSeed(cfg.seed, p.phase, step);
        TorchRuntime.engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
        Random rng = new Random(seed);
        long stepStart = System.nanoTime();
        Accumulated batch = accumulateMicroBatches(ctx, model, p, rng);
        OptionalDouble norm = unscaledGradientNorm(model, p);
        if (norm.isEmpty() || !gradientIsFinite(p, step, batch, norm.getAsDouble(), totals, log)) {
            return null;
        }
        double gradNorm = norm.getAsDouble();
        clipGradients(p.params, gradNorm);
        double lr = p.schedule.at(step);
        p.adam.step(p.params, lr, model.manager());
        p.params.forEach(TrainableParam::zeroGradient);
        totals.tokens += batch.tokens();
        totals.flops += batch.flops();
        return new StepResult(batch, gradNorm, lr, (System.nanoTime() - stepStart) / 1e9);
    }

    /** Back-propagates {@code gradAccum} micro-batches, each loss divided by their number and multiplied by the loss scale. */
    private Accumulated accumulateMicroBatches(TrainContext ctx, DecoderModel model, PhaseState p, Random rng) throws IOException {
        double lossSum = 0;
        Map<String, Double> parts = new LinkedHashMap<>();
        long tokens = 0;
        double flops = 0;
        for (int micro = 0; micro < cfg.gradAccum; micro++) {
            try (NDManager scratch = model.manager().newSubManager();
                 GradientCollector gc = TorchRuntime.engine().newGradientCollector()) {
                TrainingBatch b = p.objective.batch(ctx, rng, scratch);
                NDArray scaled = Scalars.mul(Scalars.div(b.loss(), cfg.gradAccum), p.lossScale);
                gc.backward(scaled);
                lossSum += b.loss().getFloat() / cfg.gradAccum;
                for (Map.Entry<String, NDArray> e : b.parts().entrySet()) {
                    parts.merge(e.getKey(), (double) e.getValue().getFloat() / cfg.gradAccum, Double::sum);
                }
                tokens += b.tokens();
                flops += b.forwardFlops() * TRAIN_FLOPS_PER_FORWARD_FLOP;
            }
        }
        return new Accumulated(lossSum, parts, tokens, flops);
    }

    /**
     * The gradients' global L2 norm after undoing the loss scale. Under fp16 loss scaling an overflow instead skips
     * the step and halves the scale (empty result); every {@link #LOSS_SCALE_GROWTH_INTERVAL} good steps it doubles.
     */
    private OptionalDouble unscaledGradientNorm(DecoderModel model, PhaseState p) {
        try (NDManager s = model.manager().newSubManager()) {
            if (p.lossScale != 1f) {
                boolean overflow = false;
                for (TrainableParam param : p.params) {
                    overflow |= param.gradientNonFinite(s);
                }
                if (overflow) {
                    p.params.forEach(TrainableParam::zeroGradient);
                    p.lossScale /= 2;
                    p.goodSteps = 0;
                    return OptionalDouble.empty();
                }
                for (TrainableParam param : p.params) {
                    param.scaleGradient(1f / p.lossScale);
                }
                if (++p.goodSteps % LOSS_SCALE_GROWTH_INTERVAL == 0) {
                    p.lossScale *= 2;
                }
            }
            double sq = 0;
            for (TrainableParam param : p.params) {
                sq += param.gradNormSquared(s);
            }
            return OptionalDouble.of(Math.sqrt(sq));
        }
    }

    /**
     * fp32: a NaN/Inf gradient (it makes the norm non-finite) would poison every weight, so the step is skipped
     * (false), and training stops after {@link #MAX_NON_FINITE_STEPS} such steps in a row. fp16 overflow was
     * handled by the loss scale.
     */
    private boolean gradientIsFinite(PhaseState p, int step, Accumulated batch, double gradNorm, Totals totals, MetricsLog log) throws IOException {
        if (p.lossScale != 1f || Double.isFinite(gradNorm)) {
            p.nonFiniteInARow = 0;
            return true;
        }
        String name = p.objective.name();
        List<String> nonFinite = new ArrayList<>();
        try (NDManager s = p.params.get(0).array().getManager().newSubManager()) {
            for (TrainableParam param : p.params) {
                if (param.gradientNonFinite(s)) {
                    nonFinite.add(param.name());
                }
            }
        }
        p.params.forEach(TrainableParam::zeroGradient);
        totals.skippedSteps++;
        LOG.warn("{} step {}: non-finite gradient (loss {}; in {}), step skipped", name, step, batch.loss(), nonFinite);
        ObjectNode rec = batchRecord(log, p, "skipped_step", step, batch);
        rec.put("reason", "non-finite gradient");
        nonFinite.forEach(rec.putArray("non_finite_gradients")::add);
        log.write(rec);
        listener.stepSkipped(p.phase, name, step, batch.loss(), nonFinite);
        if (++p.nonFiniteInARow >= MAX_NON_FINITE_STEPS) {
            throw new IllegalStateException("training diverged: " + MAX_NON_FINITE_STEPS + " consecutive " + name
                + " steps (up to step " + step + ") had non-finite gradients; nothing was saved. Lower --lr or "
                + "--max-grad-norm, or resume from the last checkpoint");
        }
        return false;
    }

    /** Scales the gradients down to a global norm of {@code maxGradNorm} when they exceed it. */
    private void clipGradients(List<TrainableParam> params, double gradNorm) {
        if (cfg.maxGradNorm > 0 && gradNorm > cfg.maxGradNorm) {
            float f = (float) (cfg.maxGradNorm / (gradNorm + CLIP_EPSILON));
            for (TrainableParam param : params) {
                param.scaleGradient(f);
            }
        }
    }

    /** A metrics.jsonl record of one step's batch: phase, objective, {@code stepKey: step}, loss and its parts. */
    private static ObjectNode batchRecord(MetricsLog log, PhaseState p, String stepKey, int step, Accumulated b) {
        ObjectNode rec = log.record();
        rec.put("phase", p.phase);
        rec.put("objective", p.objective.name());
        rec.put(stepKey, step);
        rec.put("loss", b.loss());
        ObjectNode parts = rec.putObject("losses");
        b.parts().forEach(parts::put);
        return rec;
    }

    /** Writes the step's record to metrics.jsonl and tells the listener. */
    private void logStep(MetricsLog log, PhaseState p, int step, StepResult r, Totals totals) throws IOException {
        Accumulated b = r.batch();
        ObjectNode rec = batchRecord(log, p, "step", step, b);
        rec.put("lr", r.lr());
        rec.put("grad_norm", r.gradNorm());
        rec.put("tokens", b.tokens());
        rec.put("tokens_per_s", b.tokens() / r.seconds());
        rec.put("gflops_per_s", b.flops() / r.seconds() / 1e9);
        rec.put("elapsed_s", (System.nanoTime() - totals.startNanos) / 1e9);
        log.write(rec);
        p.losses.add(b.loss());
        listener.stepEnded(p.phase, p.objective.name(), step, b.loss(), b.tokens() / r.seconds());
    }

    /** Leaves training mode and records the phase's first and last losses for summary.json. */
    private void endPhase(DecoderModel model, PhaseState p, Totals totals) {
        Lora.setTraining(model, false);
        List<Double> recent = p.losses;
        Map<String, Object> ps = new LinkedHashMap<>();
        ps.put("objective", p.objective.name());
        ps.put("steps", cfg.steps);
        ps.put("final_loss_mean_last_10", recent.stream().skip(Math.max(0, recent.size() - SUMMARY_LAST_LOSSES)).mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        ps.put("first_loss", recent.isEmpty() ? Double.NaN : recent.get(0));
        totals.phaseSummaries.add(ps);
        listener.phaseEnded(p.phase, p.objective.name());
    }

    /**
     * summary.json always; for a completed run also the PEFT adapter (under LoRA), the merged Hugging Face
     * checkpoint and retriever.json (how to embed with it).
     */
    private Result writeOutputs(TrainContext ctx, DecoderModel model, List<Objective> objectives, LoraConfig loraConfig, Totals totals,
                                boolean completed) throws IOException {
        double wall = (System.nanoTime() - totals.startNanos) / 1e9;
        ObjectNode summary = JSON.createObjectNode();
        summary.put("completed", completed);
        summary.put("objectives", String.join(",", cfg.objectives));
        summary.put("wall_time_s", wall);
        summary.put("skipped_non_finite_steps", totals.skippedSteps);
        summary.put("tokens", totals.tokens);
        summary.put("tokens_per_s", totals.tokens / wall);
        summary.put("train_gflops_per_s", totals.flops / wall / 1e9);
        summary.put("corpus_documents", corpus.size());
        summary.set("phases", JSON.valueToTree(totals.phaseSummaries));
        if (!completed) {
            JSON.writerWithDefaultPrettyPrinter().writeValue(cfg.outDir.resolve("summary.json").toFile(), summary);
            return new Result(false, null, null, null, summary);
        }
        ctx.syncTokenWeights();
        RetrieverConfig retriever = objectives.get(objectives.size() - 1).retrieverConfig(ctx);
        Path adapterDir = null;
        if (loraConfig != null) {
            adapterDir = cfg.outDir.resolve("adapter");
            PeftAdapter.save(model, loraConfig, adapterDir, base.dir().toString());
        }
        Path modelDir = cfg.outDir.resolve("model");
        CheckpointSaver.save(model, ctx.tokenizer(), base.dir(), modelDir, MODEL_SHARD_BYTES);
        Files.deleteIfExists(modelDir.resolve(TokenWeights.FILE)); // never leave weights of an earlier run beside new weights
        if (Pooling.parse(retriever.pooling()).mode() == Pooling.Mode.WEIGHTED_MEAN) {
            ctx.encoder().tokenWeights().orElseThrow().write(modelDir);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(cfg.outDir.resolve("retriever.json").toFile(), retriever.asMap());
        summary.set("retriever", JSON.valueToTree(retriever.asMap()));
        JSON.writerWithDefaultPrettyPrinter().writeValue(cfg.outDir.resolve("summary.json").toFile(), summary);
        return new Result(true, modelDir, adapterDir, retriever, summary);
    }

    /** Measures the model without gradients or dropout; logs the figures to metrics.jsonl and the listener. */
    private void runProbe(TrainContext ctx, Objective obj, int phase, int stepsDone, MetricsLog log) throws IOException {
        Lora.setTraining(ctx.model(), false);
        ctx.syncTokenWeights();
        try {
            Map<String, Double> figures = new LinkedHashMap<>(obj.probe(ctx));
            if (probe != null) {
                figures.putAll(probe.measure(ctx.encoder()));
            }
            if (figures.isEmpty()) {
                return;
            }
            ObjectNode rec = log.record();
            rec.put("phase", phase);
            rec.put("objective", obj.name());
            rec.put("probe_after_steps", stepsDone);
            ObjectNode f = rec.putObject("probe");
            figures.forEach(f::put);
            log.write(rec);
            listener.probed(phase, obj.name(), stepsDone, figures);
        } finally {
            Lora.setTraining(ctx.model(), true);
        }
    }

    /** Prepares an objective and, after LLaRA, switches embedding to its pooling and prompts. */
    private void preparePhase(TrainContext ctx, Objective obj) throws IOException {
        obj.prepare(ctx);
        if (obj instanceof LlaraObjective) {
            RetrieverConfig rc = obj.retrieverConfig(ctx);
            EncoderOptions o = ctx.encoder().options().withPooling(Pooling.parse(rc.pooling())).withPrompts(rc.queryPrompt(), rc.passagePrompt());
            ctx.setEncoder(ctx.encoder().withOptions(o, ctx.tokenizer()));
        }
    }

    /** The tokenizer's JSON if training extended it (LLaRA placeholders), else null. */
    private String tokenizerIfExtended(TrainContext ctx) {
        return ctx.tokenizer() == base.tokenizer() ? null : ctx.tokenizer().json();
    }

    /** LoRA matrices (or all weights), plus embedding rows that must train under LoRA. */
    private List<TrainableParam> trainables(TrainContext ctx, DecoderModel model) {
        List<TrainableParam> out = new ArrayList<>();
        if (ctx.tokenLogWeights() != null) {
            out.add(new TrainableParam("token_log_weights", ctx.tokenLogWeights(), null, false));
        }
        if (cfg.lora()) {
            for (Map.Entry<String, LoraAdapter> e : Lora.adapters(model).entrySet()) {
                out.add(new TrainableParam("lora." + e.getKey() + ".A", e.getValue().a(), null, true));
                out.add(new TrainableParam("lora." + e.getKey() + ".B", e.getValue().b(), null, true));
            }
            if (!ctx.trainableEmbeddingRows().isEmpty()) {
                NDArray embed = model.stateDict().entrySet().stream().filter(e -> Architectures.isTokenEmbedding(e.getKey())).findFirst().orElseThrow().getValue();
                embed.setRequiresGradient(true);
                float[] mask = new float[model.vocabSize()];
                for (int r : ctx.trainableEmbeddingRows()) {
                    mask[r] = 1f;
                }
                NDArray rowMask = model.manager().create(mask, new Shape(mask.length, 1));
                out.add(new TrainableParam("embedding", embed, rowMask, false));
            }
        } else {
            for (Map.Entry<String, NDArray> e : model.stateDict().entrySet()) {
                if (cfg.freezeEmbeddings && Architectures.isTokenEmbedding(e.getKey())) {
                    continue;
                }
                e.getValue().setRequiresGradient(true);
                boolean decay = !e.getKey().endsWith(".bias") && !e.getKey().contains("norm");
                out.add(new TrainableParam(e.getKey(), e.getValue(), null, decay));
            }
        }
        return out;
    }

    private static void restore(Checkpoints.State s, List<TrainableParam> params, AdamW adam, NDManager manager) {
        for (TrainableParam p : params) {
            float[] v = s.params().get(p.name());
            if (v == null || v.length != p.array().getShape().size()) {
                throw new IllegalStateException("checkpoint has no matching values for " + p.name());
            }
            p.array().set(v);
        }
        adam.restore(s.adamSteps(), s.moments(), params, manager);
    }

}
