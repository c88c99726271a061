package org.llmretriever.plugin.inference;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counters and latency percentiles of one model on one node (thread-safe). */
public final class InferenceStats {
    private static final int WINDOW = 2048;

    final AtomicLong requests = new AtomicLong();
    final AtomicLong texts = new AtomicLong();
    final AtomicLong tokens = new AtomicLong();
    final AtomicLong paddedTokens = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    final AtomicLong truncated = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong rejections = new AtomicLong();
    final AtomicLong cacheHits = new AtomicLong();
    final AtomicLong remoteRequests = new AtomicLong();
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> routedTo = new java.util.concurrent.ConcurrentHashMap<>();

    /** Records a request sent to another node for inference. */
    void routed(String node) {
        remoteRequests.incrementAndGet();
        routedTo.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
    }
    private final double[] latencies = new double[WINDOW];
    private long latencyCount;

    /** Records one embedding call's latency in milliseconds. */
    synchronized void recordLatency(double millis) {
        latencies[(int) (latencyCount++ % WINDOW)] = millis;
    }

    private synchronized double[] sortedLatencies() {
        double[] a = Arrays.copyOf(latencies, (int) Math.min(latencyCount, WINDOW));
        Arrays.sort(a);
        return a;
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Snapshot as shown by {@code GET stats}. */
    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        long b = batches.get();
        m.put("requests", requests.get());
        m.put("texts", texts.get());
        m.put("tokens", tokens.get());
        m.put("batches", b);
        m.put("mean_batch_size", b == 0 ? 0.0 : (double) texts.get() / b);
        long padded = paddedTokens.get();
        m.put("padding_ratio", padded == 0 ? 0.0 : 1.0 - (double) tokens.get() / padded);
        m.put("truncated", truncated.get());
        m.put("errors", errors.get());
        m.put("rejections", rejections.get());
        m.put("cache_hits", cacheHits.get());
        m.put("remote_requests", remoteRequests.get());
        Map<String, Object> routed = new LinkedHashMap<>();
        routedTo.forEach((n, c) -> routed.put(n, c.get()));
        m.put("routed_to", routed);
        double[] s = sortedLatencies();
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("p50", percentile(s, 0.5));
        lat.put("p90", percentile(s, 0.9));
        lat.put("p99", percentile(s, 0.99));
        lat.put("max", s.length == 0 ? 0.0 : s[s.length - 1]);
        m.put("latency_ms", lat);
        return m;
    }
}
