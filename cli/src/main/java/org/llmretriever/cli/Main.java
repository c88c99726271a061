package org.llmretriever.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./llm-retriever}: every user-facing command is a subcommand of this one. */
@Command(
    name = "llm-retriever",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Decoder-only LLMs as dense retrievers in OpenSearch.",
    subcommands = { QuickstartCommand.class, NodeCommand.class, PullCommand.class, AdaptCommand.class, EvalCommand.class, ControlCommand.class, BenchCommand.class, ReliabilityReportCommand.class, CommandLine.HelpCommand.class }
)
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // User-facing failures are one clear line; the stack trace only with LLMR_DEBUG=1.
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + ex.getMessage()));
            if ("1".equals(System.getenv("LLMR_DEBUG"))) {
                ex.printStackTrace(cmd.getErr());
            }
            return ExitCodes.FAILURE;
        });
        return cl;
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] { "llm-retriever " + (v == null ? "dev" : v) };
        }
    }
}
