package org.llmretriever.trainer.collection;

import java.io.BufferedReader;
import java.io.IOException;

/** Line-oriented collection files (JSONL, TSV): every reader skips blank lines and reports 1-based line numbers. */
public final class Lines {
    private Lines() {}

    /** What to do with one non-blank line. */
    @FunctionalInterface
    public interface Handler {
        void accept(String line, long number) throws IOException;
    }

    /** Calls {@code handler} for each non-blank line of {@code in} with its 1-based number in the file. */
    public static void forEachNonBlank(BufferedReader in, Handler handler) throws IOException {
        String line;
        long n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (!line.isBlank()) {
                handler.accept(line, n);
            }
        }
    }
}
