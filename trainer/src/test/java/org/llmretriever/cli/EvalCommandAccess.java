package org.llmretriever.cli;

/** Test access to EvalCommand's package-private fusion grid. */
public final class EvalCommandAccess {
    private EvalCommandAccess() {}

    public static double firstDenseWeight() {
        return EvalCommand.FUSION_DENSE_WEIGHTS[0];
    }
}
