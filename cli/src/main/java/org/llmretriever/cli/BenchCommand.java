package org.llmretriever.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.bench.BenchPlots;
import org.llmretriever.bench.BenchReport;
import org.llmretriever.bench.EncoderBenchmark;
import org.llmretriever.bench.PluginBenchmark;
import org.llmretriever.bench.TrainerBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code bench encoder|plugin|trainer|all}: benchmarks that print a table and write JSON (not tests). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run benchmarks; each prints a table and writes JSON under bench-results/.",
    subcommands = { BenchCommand.All.class, BenchCommand.Encoder.class, BenchCommand.Plugin.class, BenchCommand.Trainer.class }
)
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    static BenchReport encoder(boolean quick) throws Exception {
        return new EncoderBenchmark(System.out, quick).run(StateDirs.home().resolve("bench-work"));
    }

    static BenchReport plugin(boolean quick, Map<String, String> nodeSettings, int bulkConcurrency) throws Exception {
        return new PluginBenchmark(System.out, quick, nodeSettings, bulkConcurrency).run(StateDirs.home().resolve("bench-plugin"), StateDirs.distDir());
    }

    static BenchReport trainer(boolean quick) throws Exception {
        return new TrainerBenchmark(System.out, quick).run(StateDirs.home().resolve("bench-trainer"));
    }

    /** {@code --quick}, shared by every benchmark. */
    static final class Size {
        @Option(names = "--quick", description = "Small sizes, for a smoke run (numbers are not representative).")
        boolean quick;
    }

    /** Prints a report's table and writes its JSON. */
    private static int emit(BenchReport r, Path out) throws IOException {
        r.print(System.out);
        r.write(out);
        System.out.println("wrote " + out.toAbsolutePath());
        return ExitCodes.OK;
    }

    /** One benchmark: {@code --quick}, and its JSON report under {@code --out}, by default {@code bench-results/<name>.json}. */
    abstract static class SingleBenchmark implements Callable<Integer> {
        @Option(names = "--out", description = "JSON output (default: bench-results/${COMMAND-NAME}.json).")
        Path out;

        @Mixin
        Size size;

        @Spec
        CommandSpec spec;

        /** Runs the benchmark. */
        abstract BenchReport run(boolean quick) throws Exception;

        /** Where the report goes without {@code --out}. */
        Path defaultOut() {
            return Path.of("bench-results", spec.name() + ".json");
        }

        @Override
        public Integer call() throws Exception {
            return emit(run(size.quick), out != null ? out : defaultOut());
        }
    }

    /** {@code bench encoder}. */
    @Command(name = "encoder", mixinStandardHelpOptions = true,
        description = "Encoder tokens/s and MFU vs a same-run matmul ceiling, query latency, padding efficiency, long-document memory.")
    static final class Encoder extends SingleBenchmark {
        @Option(names = "--profile", description = "Instead: where a forward pass spends its time (libtorch profiler): self time per op "
            + "class, time outside libtorch ops, JNI calls and allocations per forward, for a 16-token query and a 16 x 256 batch "
            + "(JSON default: bench-results/encoder-profile.json).")
        boolean profile;

        @Override
        BenchReport run(boolean quick) throws Exception {
            return profile ? new EncoderBenchmark(System.out, quick).profile(StateDirs.home().resolve("bench-work")) : encoder(quick);
        }

        @Override
        Path defaultOut() {
            return profile ? Path.of("bench-results/encoder-profile.json") : super.defaultOut();
        }
    }

    /** {@code bench plugin}. */
    @Command(name = "plugin", mixinStandardHelpOptions = true,
        description = "Ingest through _bulk + pipeline vs the encoder alone, batched vs single-document inference, llm_knn vs _embed + knn latency.")
    static final class Plugin extends SingleBenchmark {
        @Option(names = "--node-setting", description = "Extra node setting for the benchmark node, e.g. plugins.llm_retriever.torch_threads=1 (repeatable).")
        java.util.Map<String, String> nodeSettings = new java.util.LinkedHashMap<>();

        @Option(names = "--bulk-concurrency", defaultValue = "1", description = "Bulk requests in flight while ingesting (default: ${DEFAULT-VALUE}).")
        int bulkConcurrency;

        @Override
        BenchReport run(boolean quick) throws Exception {
            return plugin(quick, nodeSettings, bulkConcurrency);
        }
    }

    /** {@code bench trainer}. */
    @Command(name = "trainer", mixinStandardHelpOptions = true,
        description = "Training tokens/s and MFU per objective (forward+backward = 3 x forward FLOPs) vs a same-run matmul ceiling.")
    static final class Trainer extends SingleBenchmark {
        @Override
        BenchReport run(boolean quick) throws Exception {
            return trainer(quick);
        }
    }

    /** {@code bench all}: the three benchmarks in one run, one JSON and plots. */
    @Command(name = "all", mixinStandardHelpOptions = true,
        description = "Encoder, plugin and trainer benchmarks in one run: one JSON (all.json) and PNG plots next to it.")
    static final class All implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "bench-results", description = "Output directory (default: ${DEFAULT-VALUE}).")
        Path out;

        @Mixin
        Size size;

        @Override
        public Integer call() throws Exception {
            ObjectNode all = new ObjectMapper().createObjectNode();
            long t0 = System.nanoTime();
            add(all, encoder(size.quick));
            add(all, plugin(size.quick, Map.of(), 1));
            add(all, trainer(size.quick));
            all.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
            java.nio.file.Files.createDirectories(out);
            Path json = out.resolve("all.json");
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), all);
            System.out.println("wrote " + json.toAbsolutePath());
            for (Path p : BenchPlots.write(all, out)) {
                System.out.println("wrote " + p.toAbsolutePath());
            }
            return ExitCodes.OK;
        }

        /** Prints a report's table at once and files its JSON under its name (encoder, plugin, trainer). */
        private static void add(ObjectNode all, BenchReport r) {
            r.print(System.out);
            all.set(r.json().path("benchmark").asText(), r.json());
        }
    }
}
