package org.llmretriever.cli;

import org.llmretriever.bench.BenchReport;
import org.llmretriever.bench.EncoderBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bench encoder|plugin|trainer|all}: benchmarks that print a table and write JSON (not tests). */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Run benchmarks; each prints a table and writes JSON under bench-results/.",
    subcommands = { BenchCommand.Encoder.class }
)
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** {@code bench encoder}. */
    @Command(name = "encoder", mixinStandardHelpOptions = true,
        description = "Encoder tokens/s and MFU vs a same-run matmul ceiling, query latency, padding efficiency, long-document memory.")
    static final class Encoder implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "bench-results/encoder.json", description = "JSON output (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--quick", description = "Small sizes, for a smoke run (numbers are not representative).")
        boolean quick;

        @Override
        public Integer call() throws Exception {
            BenchReport r = new EncoderBenchmark(System.out, quick).run(Paths.home().resolve("bench-work"));
            r.print(System.out);
            r.write(out);
            System.out.println("wrote " + out.toAbsolutePath());
            return ExitCodes.OK;
        }
    }
}
