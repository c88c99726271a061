package org.llmretriever.bench;

import java.io.PrintStream;

/** What every benchmark shares: where its progress and tables go, and whether it runs at smoke-test sizes. */
abstract class Benchmark {
    /** Progress lines and result tables. */
    protected final PrintStream out;
    /** Shrinks every size, for a smoke run: the numbers are then not representative. */
    protected final boolean quick;

    Benchmark(PrintStream out, boolean quick) {
        this.out = out;
        this.quick = quick;
    }
}
