package org.llmretriever.cli;

/** Process exit codes of {@code ./llm-retriever}. */
public final class ExitCodes {
    private ExitCodes() {}

    /** Success. */
    public static final int OK = 0;
    /** The command failed (message on stderr). */
    public static final int FAILURE = 1;
    /** Bad usage (picocli's convention). */
    public static final int USAGE = 2;
    /** A status query found nothing running. */
    public static final int NOT_RUNNING = 3;
    /** Interrupted by Ctrl-C after a clean stop. */
    public static final int INTERRUPTED = 130;
}
