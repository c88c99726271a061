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
import org.llmretriever.encoder.lora.Lora;
import org.llmretriever.encoder.lora.LoraConfig;
import org.llmretriever.encoder.lora.PeftAdapter;
import org.llmretriever.encoder.model.CheckpointSaver;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.LoraAdapter;
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

    private Result doRun() throws IOException {
        Files.createDirectories(cfg.outDir);
        Checkpoints.State resume = cfg.resume ? Checkpoints.load(cfg.outDir, cfg) : null;
        DecoderModel model = base.model();
        TrainContext ctx = new TrainContext(cfg, base, corpus, miner);
        List<Objective> objectives = new ArrayList<>();
        for (String o : cfg.objectives) {
            objectives.add(objective(o));
        }
        LoraConfig loraConfig = null;
        if (cfg.lora()) {
            loraConfig = new LoraConfig(cfg.loraRank, (float) cfg.loraAlpha, (float) cfg.loraDropout,
                cfg.loraTargets.isEmpty() ? Lora.defaultTargets(model) : cfg.loraTargets);
            Lora.attach(model, loraConfig, cfg.seed);
        }
        int startPhase = resume == null ? 0 : resume.phase();
        int startStep = resume == null ? 0 : resume.step();
        // Rebuild what earlier phases set up (added tokens, pooling switch) so a resumed run sees the same state.
        for (int p = 0; p < startPhase && p < objectives.size(); p++) {
            preparePhase(ctx, objectives.get(p));
        }
        JniUtils.setGradMode(false);
        long t0 = System.nanoTime();
        long tokens = 0;
        double flops = 0;
        int skippedSteps = 0;
        List<Map<String, Object>> phaseSummaries = new ArrayList<>();
        boolean completed = true;
        try (MetricsLog log = new MetricsLog(cfg.outDir.resolve("metrics.jsonl"), startPhase, startStep)) {
            for (int phase = startPhase; phase < objectives.size(); phase++) {
                Objective obj = objectives.get(phase);
                preparePhase(ctx, obj);
                List<TrainableParam> params = trainables(ctx, model);
                AdamW adam = new AdamW(cfg.weightDecay);
                float lossScale = model.dtype() == DataType.FLOAT16 ? 65536f : 1f;
                int from = phase == startPhase ? startStep : 0;
                if (resume != null && phase == startPhase) {
                    restore(resume, params, adam, model.manager());
                    lossScale = resume.lossScale();
                }
                LrSchedule schedule = new LrSchedule(cfg.lr, cfg.warmupSteps, cfg.steps, cfg.schedule);
                listener.phaseStarted(phase, obj.name(), from, cfg.steps);
                Lora.setTraining(model, true);
                List<Double> recent = new ArrayList<>();
                if (from == 0 && cfg.probeEvery > 0) {
                    runProbe(ctx, obj, phase, 0, log);
                }
                int goodSteps = 0;
                int nonFiniteInARow = 0;
                for (int step = from; step < cfg.steps; step++) {
                    long seed = stepSeed(cfg.seed, phase, step);
                    TorchRuntime.engine().setRandomSeed((int) (seed ^ (seed >>> 32)));
                    Random rng = new Random(seed);
                    long stepStart = System.nanoTime();
                    double lossSum = 0;
                    Map<String, Double> parts = new LinkedHashMap<>();
                    long stepTokens = 0;
                    double stepFlops = 0;
                    for (int micro = 0; micro < cfg.gradAccum; micro++) {
                        try (NDManager scratch = model.manager().newSubManager();
                             GradientCollector gc = TorchRuntime.engine().newGradientCollector()) {
                            TrainingBatch b = obj.batch(ctx, rng, scratch);
                            NDArray scaled = b.loss().div((float) cfg.gradAccum).mul(lossScale);
                            gc.backward(scaled);
                            lossSum += b.loss().getFloat() / cfg.gradAccum;
                            for (Map.Entry<String, NDArray> e : b.parts().entrySet()) {
                                parts.merge(e.getKey(), (double) e.getValue().getFloat() / cfg.gradAccum, Double::sum);
                            }
                            stepTokens += b.tokens();
                            stepFlops += b.forwardFlops() * 3; // forward + backward ≈ 3 × forward
                        }
                    }
                    double gradNorm;
                    try (NDManager s = model.manager().newSubManager()) {
                        if (lossScale != 1f) {
                            boolean overflow = false;
                            for (TrainableParam p : params) {
                                overflow |= p.gradientNonFinite(s);
                            }
                            if (overflow) { // fp16 loss scaling: skip the step, halve the scale
                                params.forEach(TrainableParam::zeroGradient);
                                lossScale /= 2;
                                goodSteps = 0;
                                continue;
                            }
                            for (TrainableParam p : params) {
                                p.scaleGradient(1f / lossScale);
                            }
                            if (++goodSteps % 2000 == 0) {
                                lossScale *= 2;
                            }
                        }
                        double sq = 0;
                        for (TrainableParam p : params) {
                            sq += p.gradNormSquared(s);
                        }
                        gradNorm = Math.sqrt(sq);
                    }
                    // fp32: a NaN/Inf gradient (it makes the norm non-finite) would poison every weight; skip the
                    // step, stop if it persists. fp16 overflow was handled above by the loss scale.
                    if (lossScale == 1f && !Double.isFinite(gradNorm)) {
                        params.forEach(TrainableParam::zeroGradient);
                        skippedSteps++;
                        LOG.warn("{} step {}: non-finite gradient (loss {}), step skipped", obj.name(), step, lossSum);
                        if (++nonFiniteInARow >= MAX_NON_FINITE_STEPS) {
                            throw new IllegalStateException("training diverged: " + MAX_NON_FINITE_STEPS + " consecutive " + obj.name()
                                + " steps (up to step " + step + ") had non-finite gradients; nothing was saved. Lower --lr or "
                                + "--max-grad-norm, or resume from the last checkpoint");
                        }
                        continue;
                    }
                    nonFiniteInARow = 0;
                    if (cfg.maxGradNorm > 0 && gradNorm > cfg.maxGradNorm) {
                        float f = (float) (cfg.maxGradNorm / (gradNorm + 1e-6));
                        for (TrainableParam p : params) {
                            p.scaleGradient(f);
                        }
                    }
                    double lr = schedule.at(step);
                    adam.step(params, lr, model.manager());
                    params.forEach(TrainableParam::zeroGradient);
                    tokens += stepTokens;
                    flops += stepFlops;
                    double secs = (System.nanoTime() - stepStart) / 1e9;
                    ObjectNode rec = log.record();
                    rec.put("phase", phase);
                    rec.put("objective", obj.name());
                    rec.put("step", step);
                    rec.put("loss", lossSum);
                    ObjectNode pj = rec.putObject("losses");
                    parts.forEach(pj::put);
                    rec.put("lr", lr);
                    rec.put("grad_norm", gradNorm);
                    rec.put("tokens", stepTokens);
                    rec.put("tokens_per_s", stepTokens / secs);
                    rec.put("gflops_per_s", stepFlops / secs / 1e9);
                    rec.put("elapsed_s", (System.nanoTime() - t0) / 1e9);
                    log.write(rec);
                    recent.add(lossSum);
                    listener.stepEnded(phase, obj.name(), step, lossSum, stepTokens / secs);
                    boolean last = step == cfg.steps - 1;
                    if (cfg.probeEvery > 0 && ((step + 1) % cfg.probeEvery == 0 || last)) {
                        runProbe(ctx, obj, phase, step + 1, log);
                    }
                    boolean stopNow = stopRequested || (cfg.stopAfterSteps > 0 && step + 1 >= cfg.stopAfterSteps && !last);
                    if (stopNow || (cfg.checkpointEvery > 0 && (step + 1) % cfg.checkpointEvery == 0 && !last)) {
                        Checkpoints.save(cfg.outDir, cfg, phase, step + 1, adam, lossScale, model.vocabSize(), params,
                            tokenizerIfExtended(ctx), model.manager());
                    }
                    if (stopNow) {
                        completed = false;
                        break;
                    }
                }
                Lora.setTraining(model, false);
                Map<String, Object> ps = new LinkedHashMap<>();
                ps.put("objective", obj.name());
                ps.put("steps", cfg.steps);
                ps.put("final_loss_mean_last_10", recent.stream().skip(Math.max(0, recent.size() - 10)).mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
                ps.put("first_loss", recent.isEmpty() ? Double.NaN : recent.get(0));
                phaseSummaries.add(ps);
                listener.phaseEnded(phase, obj.name());
                if (!completed) {
                    break;
                }
                if (phase + 1 < objectives.size()) {
                    Checkpoints.save(cfg.outDir, cfg, phase + 1, 0, new AdamW(cfg.weightDecay), lossScale, model.vocabSize(), trainables(ctx, model),
                        tokenizerIfExtended(ctx), model.manager());
                }
            }
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        ObjectNode summary = JSON.createObjectNode();
        summary.put("completed", completed);
        summary.put("objectives", String.join(",", cfg.objectives));
        summary.put("wall_time_s", wall);
        summary.put("skipped_non_finite_steps", skippedSteps);
        summary.put("tokens", tokens);
        summary.put("tokens_per_s", tokens / wall);
        summary.put("train_gflops_per_s", flops / wall / 1e9);
        summary.put("corpus_documents", corpus.size());
        summary.set("phases", JSON.valueToTree(phaseSummaries));
        if (!completed) {
            JSON.writerWithDefaultPrettyPrinter().writeValue(cfg.outDir.resolve("summary.json").toFile(), summary);
            return new Result(false, null, null, null, summary);
        }
        RetrieverConfig retriever = objectives.get(objectives.size() - 1).retrieverConfig(ctx);
        Path adapterDir = null;
        if (loraConfig != null) {
            adapterDir = cfg.outDir.resolve("adapter");
            PeftAdapter.save(model, loraConfig, adapterDir, base.dir().toString());
        }
        Path modelDir = cfg.outDir.resolve("model");
        CheckpointSaver.save(model, ctx.tokenizer(), base.dir(), modelDir, 2L << 30);
        JSON.writerWithDefaultPrettyPrinter().writeValue(cfg.outDir.resolve("retriever.json").toFile(), retriever.asMap());
        summary.set("retriever", JSON.valueToTree(retriever.asMap()));
        JSON.writerWithDefaultPrettyPrinter().writeValue(cfg.outDir.resolve("summary.json").toFile(), summary);
        return new Result(true, modelDir, adapterDir, retriever, summary);
    }

    /** Measures the model without gradients or dropout; logs the figures to metrics.jsonl and the listener. */
    private void runProbe(TrainContext ctx, Objective obj, int phase, int stepsDone, MetricsLog log) throws IOException {
        Lora.setTraining(ctx.model(), false);
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
        if (cfg.lora()) {
            for (Map.Entry<String, LoraAdapter> e : Lora.adapters(model).entrySet()) {
                out.add(new TrainableParam("lora." + e.getKey() + ".A", e.getValue().a(), null, true));
                out.add(new TrainableParam("lora." + e.getKey() + ".B", e.getValue().b(), null, true));
            }
            if (!ctx.trainableEmbeddingRows().isEmpty()) {
                NDArray embed = model.stateDict().entrySet().stream().filter(e -> e.getKey().endsWith("embed_tokens.weight")
                    || e.getKey().endsWith("embed_in.weight")).findFirst().orElseThrow().getValue();
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
