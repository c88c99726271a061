package org.llmretriever.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.model.TokenBatch;
import org.llmretriever.encoder.runtime.TorchRuntime;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Encoder throughput and memory, against a matmul ceiling measured in the same run:
 * <ul>
 *   <li>embed throughput and MFU of a random d=1024 Llama on 16 × 256-token passages, and by batch size;</li>
 *   <li>single 16-token query latency;</li>
 *   <li>padding efficiency of length-bucketed batching on a mixed-length corpus (vs fixed batches in input order);</li>
 *   <li>peak resident memory of one long document with block-wise vs full attention, at 2k/4k/8k tokens.</li>
 * </ul>
 */
public final class EncoderBenchmark extends Benchmark {
    /** {@code quick} shrinks every size (for smoke tests); real numbers need {@code quick = false}. */
    public EncoderBenchmark(PrintStream out, boolean quick) {
        super(out, quick);
    }

    /**
     * The profiling mode ({@code bench encoder --profile}): where a forward pass of the throughput model spends its
     * time, for a 16-token query and for the 16 × 256 embed batch (see {@link ForwardProfile}); traces in workDir.
     */
    public BenchReport profile(Path workDir) throws IOException {
        BenchReport r = report("encoder-profile", workDir);
        Path dir = writeThroughputModel(workDir);
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults().withMaxTokens(256).withPooling(Pooling.LAST_TOKEN))) {
            Map<String, List<long[]>> workloads = new LinkedHashMap<>();
            workloads.put("query", randomSequences(1, 16, RandomCheckpoints.vocabSize(), 9));
            workloads.put("batch", randomSequences(quick ? 4 : 16, quick ? 64 : 256, RandomCheckpoints.vocabSize(), 7));
            for (Map.Entry<String, List<long[]>> w : workloads.entrySet()) {
                String name = w.getKey();
                int reps = name.equals("query") ? (quick ? 5 : 40) : (quick ? 1 : 3);
                ForwardProfile.Result p = ForwardProfile.run(m, w.getValue(), reps, workDir.resolve("trace-" + name + ".json"));
                out.printf("== profile: %s (%d x %d tokens) ==%n%s", name, w.getValue().size(), w.getValue().get(0).length, p.table());
                r.put("profile_" + name + "_wall_ms", p.wallMs(), name + ": wall time per forward", "ms");
                r.put("profile_" + name + "_outside_ops_fraction", p.outsideOpsMs() / p.wallMs(), name + ": share outside libtorch ops", "fraction");
                r.put("profile_" + name + "_ops_per_forward", p.opsPerForward(), name + ": top-level ops (JNI calls) per forward", "ops");
                r.put("profile_" + name + "_allocations_per_forward", p.allocationsPerForward(), name + ": tensor allocations per forward", "count");
                ObjectNode classes = r.json().putObject("profile_" + name + "_self_ms_by_class");
                p.selfMsByClass().forEach(classes::put);
                classes.put("outside libtorch ops", p.outsideOpsMs());
                ObjectNode top = r.json().putObject("profile_" + name + "_top_ops_self_ms");
                p.topOpsMs().forEach(top::put);
            }
        } finally {
            FileTrees.deleteRecursively(dir);
        }
        return r;
    }

    /** Runs everything and returns the report. */
    public BenchReport run(Path workDir) throws IOException {
        BenchReport r = report("encoder", workDir);
        double ceiling = Ceiling.measure(out, quick);
        r.put("ceiling_gflops", ceiling, "fp32 matmul ceiling (same run)", "GFLOP/s");
        throughput(r, workDir, ceiling);
        paddingEfficiency(r);
        memory(r, workDir);
        return r;
    }

    /** A report headed by the engine and its intra-op threads; creates {@code workDir}. */
    private static BenchReport report(String title, Path workDir) throws IOException {
        BenchReport r = new BenchReport(title);
        TorchRuntime.RuntimeInfo info = TorchRuntime.info();
        r.note("engine", info.engine() + " " + info.version());
        r.json().put("intra_op_threads", info.intraOpThreads());
        Files.createDirectories(workDir);
        return r;
    }

    private int hidden() {
        return quick ? 256 : 1024;
    }

    private int layers() {
        return quick ? 2 : 4;
    }

    /** The random Llama of the throughput and profile figures (d = 1024, 4 layers, 16 heads, FFN 2816 unless quick). */
    private Path writeThroughputModel(Path workDir) throws IOException {
        int hidden = hidden();
        return RandomCheckpoints.write(workDir.resolve("bench-llama"), llamaConfig(hidden, layers(), hidden / 64, hidden * 11 / 4), 1);
    }

    private static ObjectNode llamaConfig(int hidden, int layers, int heads, int inter) {
        ObjectNode c = RandomCheckpoints.config("llama");
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", heads);
        c.put("intermediate_size", inter);
        c.put("max_position_embeddings", 8192);
        c.put("initializer_range", 0.02);
        return c;
    }

    private static List<long[]> randomSequences(int count, int length, int vocab, long seed) {
        Random rnd = new Random(seed);
        List<long[]> seqs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long[] s = new long[length];
            s[0] = 1;
            for (int j = 1; j < length; j++) {
                s[j] = 4 + rnd.nextInt(vocab - 4);
            }
            seqs.add(s);
        }
        return seqs;
    }


    private void throughput(BenchReport r, Path workDir, double ceiling) throws IOException {
        int hidden = hidden();
        int layers = layers();
        int batch = quick ? 4 : 16;
        int length = quick ? 64 : 256;
        Path dir = writeThroughputModel(workDir);
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults().withMaxTokens(length).withPooling(Pooling.LAST_TOKEN))) {
            List<long[]> seqs = randomSequences(batch, length, RandomCheckpoints.vocabSize(), 7);
            m.embedPrepared(seqs, 0); // warm-up
            double best = sortedSeconds(quick ? 2 : 3, () -> m.embedPrepared(seqs, 0))[0];
            double flops = m.model().forwardFlops(batch, length, 0);
            double gflops = flops / best / 1e9;
            r.json().put("model", "random llama d=" + hidden + " layers=" + layers + " heads=" + hidden / 64 + " ffn=" + hidden * 11 / 4
                + " (" + m.model().parameterCount() / 1_000_000 + "M params)");
            r.put("embed_tokens_per_s", batch * length / best, "embed throughput (" + batch + "x" + length + " tokens)", "tokens/s");
            r.put("embed_gflops", gflops, "embed compute rate", "GFLOP/s");
            r.put("mfu", gflops / ceiling, "embed MFU (vs same-run ceiling)", "fraction");
            batchSweep(r, m, ceiling);
            // single short query
            List<long[]> query = randomSequences(1, 16, RandomCheckpoints.vocabSize(), 9);
            for (int i = 0; i < 3; i++) {
                m.embedPrepared(query, 0);
            }
            int n = quick ? 10 : 40;
            double[] lat = sortedSeconds(n, () -> m.embedPrepared(query, 0));
            r.put("query_latency_ms_p50", lat[n / 2] * 1e3, "16-token query latency p50", "ms");
            r.put("query_latency_ms_p90", lat[(int) (n * 0.9)] * 1e3, "16-token query latency p90", "ms");
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }

    /** Wall seconds of {@code reps} runs of {@code work}, fastest first. */
    private static double[] sortedSeconds(int reps, Runnable work) {
        double[] secs = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            work.run();
            secs[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(secs);
        return secs;
    }

    /** Throughput and MFU of one padded batch of 128-token passages, by batch size. */
    private void batchSweep(BenchReport r, EncoderModel m, double ceiling) {
        int length = quick ? 32 : 128;
        int[] sizes = quick ? new int[] { 1, 2, 4 } : new int[] { 1, 2, 4, 8, 16, 32 };
        ObjectNode tps = r.json().putObject("throughput_by_batch_size");
        ObjectNode mfu = r.json().putObject("mfu_by_batch_size");
        r.json().put("batch_sweep_tokens_per_sequence", length);
        // Rounds over all sizes (best per size), so a noisy moment costs one round of one size, not a size's figure.
        double[] best = new double[sizes.length];
        Arrays.fill(best, Double.MAX_VALUE);
        List<List<long[]>> inputs = new ArrayList<>();
        for (int b : sizes) {
            inputs.add(randomSequences(b, length, RandomCheckpoints.vocabSize(), 11 + b));
            m.embedPrepared(inputs.get(inputs.size() - 1), 0); // warm-up at this shape
        }
        for (int round = 0; round < (quick ? 1 : 3); round++) {
            for (int k = 0; k < sizes.length; k++) {
                long t0 = System.nanoTime();
                m.embedPrepared(inputs.get(k), 0);
                best[k] = Math.min(best[k], (System.nanoTime() - t0) / 1e9);
            }
        }
        for (int k = 0; k < sizes.length; k++) {
            int b = sizes[k];
            double tokensPerSec = b * length / best[k];
            tps.put(Integer.toString(b), tokensPerSec);
            mfu.put(Integer.toString(b), m.model().forwardFlops(b, length, 0) / best[k] / 1e9 / ceiling);
            out.printf("  batch %2d x %d tokens: %,.0f tokens/s%n", b, length, tokensPerSec);
        }
        if (tps.has("16")) { // issue 13's target: batching must pay, ≥ 1.3 × batch 1
            r.put("batch_16_vs_1", tps.get("16").asDouble() / tps.get("1").asDouble(), "throughput, batch 16 vs batch 1", "ratio");
        }
        String largest = Integer.toString(sizes[sizes.length - 1]);
        r.put("batch_max_vs_1", tps.get(largest).asDouble() / tps.get("1").asDouble(),
            "throughput, batch " + largest + " vs batch 1", "ratio");
    }

    private void paddingEfficiency(BenchReport r) {
        Random rnd = new Random(3);
        List<long[]> corpus = new ArrayList<>();
        int docs = 2000;
        for (int i = 0; i < docs; i++) {
            // log-normal lengths around 80 tokens, 8..512, like short web passages and abstracts
            int len = (int) Math.max(8, Math.min(512, Math.round(Math.exp(Math.log(80) + 0.8 * rnd.nextGaussian()))));
            corpus.add(new long[len]);
        }
        long real = corpus.stream().mapToLong(s -> s.length).sum();
        long padded = 0;
        for (List<Integer> b : EncoderModel.LengthBuckets.plan(corpus, 16_384, 64)) {
            padded += (long) b.size() * b.stream().mapToInt(i -> corpus.get(i).length).max().orElse(0);
        }
        long naive = 0;
        for (int s = 0; s < docs; s += 64) {
            int longest = 0;
            for (int i = s; i < Math.min(docs, s + 64); i++) {
                longest = Math.max(longest, corpus.get(i).length);
            }
            naive += (long) longest * (Math.min(docs, s + 64) - s);
        }
        r.put("padding_efficiency", (double) real / padded, "padding efficiency, length buckets", "real/padded");
        r.put("padding_efficiency_unsorted", (double) real / naive, "padding efficiency, fixed batches of 64", "real/padded");
    }

    private void memory(BenchReport r, Path workDir) throws IOException {
        Path dir = RandomCheckpoints.write(workDir.resolve("bench-mem"), llamaConfig(512, 2, 8, 1408), 2);
        int[] lengths = quick ? new int[] { 512, 1024, 2048 } : new int[] { 2048, 4096, 8192 };
        try {
            ObjectNode detail = r.json().putObject("peak_mem_mb_by_length");
            for (int len : lengths) {
                double block;
                double full;
                try {
                    block = MemoryProbe.measure(dir, len, true);
                    full = MemoryProbe.measure(dir, len, false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
                detail.put("blockwise_" + len, block);
                detail.put("full_" + len, full);
                out.printf("  %5d tokens: peak extra memory block-wise %8.1f MiB, full %8.1f MiB%n", len, block, full);
            }
            int longest = lengths[lengths.length - 1];
            r.put("peak_mem_mb_blockwise_8k", detail.get("blockwise_" + longest).asDouble(), "peak memory, " + longest + " tokens, block-wise", "MiB");
            r.put("peak_mem_mb_full_8k", detail.get("full_" + longest).asDouble(), "peak memory, " + longest + " tokens, full attention", "MiB");
            r.put("blockwise_growth_per_doubling",
                detail.get("blockwise_" + longest).asDouble() / detail.get("blockwise_" + lengths[1]).asDouble(),
                "block-wise memory growth per length doubling", "ratio");
            r.put("full_growth_per_doubling",
                detail.get("full_" + longest).asDouble() / detail.get("full_" + lengths[1]).asDouble(),
                "full attention memory growth per length doubling", "ratio");
        } finally {
            FileTrees.deleteRecursively(dir);
        }
    }

    /** The fp32 matmul ceiling: best GFLOP/s of square products through the same engine. */
    static final class Ceiling {
        private Ceiling() {}

        static double measure(PrintStream out, boolean quick) {
            double best = 0;
            int[] sizes = quick ? new int[] { 256, 512 } : new int[] { 1024, 2048, 3072 };
            try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), TorchRuntime.engine().getEngineName())) {
                for (int n : sizes) {
                    NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
                    NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
                    a.matMul(b).close(); // warm-up
                    int reps = n >= 2048 ? 3 : 6;
                    double bestSec = Double.MAX_VALUE;
                    for (int i = 0; i < reps; i++) {
                        long t0 = System.nanoTime();
                        NDArray c = a.matMul(b);
                        c.getFloat(0, 0); // forces completion
                        bestSec = Math.min(bestSec, (System.nanoTime() - t0) / 1e9);
                        c.close();
                    }
                    double g = 2.0 * n * n * n / bestSec / 1e9;
                    out.printf("  matmul %dx%d: %.1f GFLOP/s%n", n, n, g);
                    best = Math.max(best, g);
                }
            }
            return best;
        }
    }
}
