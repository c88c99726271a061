package org.llmretriever.trainer.train;

/** Linear warm-up to the peak, then cosine or linear decay to zero (or constant). */
public final class LrSchedule {
    private final double peak;
    private final int warmup;
    private final int total;
    private final String shape;

    /** Peak rate, warm-up steps, total steps, decay shape. */
    public LrSchedule(double peak, int warmup, int total, String shape) {
        this.peak = peak;
        this.warmup = Math.min(warmup, total);
        this.total = total;
        this.shape = shape;
    }

    /** Learning rate of (0-based) step {@code step}. */
    public double at(int step) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        if (shape.equals("constant") || total <= warmup) {
            return peak;
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return shape.equals("linear") ? peak * (1 - progress) : peak * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
