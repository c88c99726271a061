package org.llmretriever.bench;

import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.llmretriever.encoder.EncoderModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where an embedding forward pass spends its time, from libtorch's own profiler (a Chrome trace written by
 * {@link JniUtils#stopProfile}): self time per op class, the wall time outside any libtorch op (Java, JNI
 * crossings, NDArray bookkeeping), top-level ops per forward (each one a JNI call from Java) and tensor
 * allocations per forward.
 */
public final class ForwardProfile {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Op classes, matched on the aten op name; first match wins. */
    private static final Map<String, List<String>> CLASSES = new LinkedHashMap<>();

    static {
        CLASSES.put("matmul", List.of("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::matmul", "aten::linear", "aten::dot", "aten::mv"));
        CLASSES.put("softmax", List.of("aten::softmax", "aten::_softmax", "aten::log_softmax", "aten::_log_softmax"));
        CLASSES.put("masking", List.of("aten::masked_fill", "aten::where", "aten::logical_", "aten::lt", "aten::gt", "aten::le", "aten::ge", "aten::eq",
            "aten::tril", "aten::triu", "aten::arange"));
        CLASSES.put("allocation", List.of("aten::empty", "aten::zeros", "aten::ones", "aten::full", "aten::resize_"));
        CLASSES.put("copy/layout", List.of("aten::copy_", "aten::contiguous", "aten::clone", "aten::cat", "aten::_to_copy", "aten::to",
            "aten::transpose", "aten::permute", "aten::view", "aten::reshape", "aten::_reshape_alias", "aten::expand", "aten::as_strided",
            "aten::unsqueeze", "aten::squeeze", "aten::slice", "aten::select", "aten::narrow", "aten::index", "aten::gather",
            "aten::embedding", "aten::index_select", "aten::repeat", "aten::split", "aten::chunk", "aten::stack", "aten::flatten"));
        CLASSES.put("elementwise", List.of("aten::mul", "aten::add", "aten::sub", "aten::div", "aten::neg", "aten::silu", "aten::sigmoid",
            "aten::gelu", "aten::tanh", "aten::exp", "aten::rsqrt", "aten::sqrt", "aten::pow", "aten::mean", "aten::sum", "aten::norm",
            "aten::linalg_vector_norm", "aten::maximum", "aten::clamp", "aten::max", "aten::cos", "aten::sin", "aten::fill_"));
    }

    /** Figures of one profiled workload (times per forward). */
    public record Result(double wallMs, double outsideOpsMs, Map<String, Double> selfMsByClass, double opsPerForward,
                         double allocationsPerForward, Map<String, Double> topOpsMs) {

        /** One line per class, largest first, as shares of the wall time. */
        public String table() {
            StringBuilder s = new StringBuilder();
            s.append(String.format(Locale.ROOT, "    wall %.2f ms per forward; %.0f top-level ops (JNI calls), %.0f allocations per forward%n",
                wallMs, opsPerForward, allocationsPerForward));
            List<Map.Entry<String, Double>> rows = new ArrayList<>(selfMsByClass.entrySet());
            rows.add(Map.entry("outside libtorch ops", outsideOpsMs));
            rows.sort(Map.Entry.<String, Double>comparingByValue().reversed());
            for (Map.Entry<String, Double> e : rows) {
                s.append(String.format(Locale.ROOT, "    %-22s %8.2f ms  %5.1f %%%n", e.getKey(), e.getValue(), 100 * e.getValue() / wallMs));
            }
            return s.toString();
        }
    }

    private ForwardProfile() {}

    /**
     * Profiles {@code reps} calls of {@link EncoderModel#embedPrepared} on {@code sequences} (after two unprofiled
     * warm-up calls); the trace is kept at {@code trace}.
     */
    public static Result run(EncoderModel model, List<long[]> sequences, int reps, Path trace) throws IOException {
        model.embedPrepared(sequences, 0);
        model.embedPrepared(sequences, 0);
        Files.createDirectories(trace.toAbsolutePath().getParent());
        Files.deleteIfExists(trace);
        JniUtils.startProfile(false, false, false);
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            model.embedPrepared(sequences, 0);
        }
        double wallMs = (System.nanoTime() - t0) / 1e6 / reps;
        JniUtils.stopProfile(trace.toString());
        return summarize(JSON.readTree(trace.toFile()), reps, wallMs);
    }

    /** An op of the trace. */
    private record Op(String name, long tid, double start, double dur) {
        double end() {
            return start + dur;
        }
    }

    /** An op still open while later ops nest in it, and the time those children took. */
    private static final class Frame {
        final Op op;
        double childUs;

        Frame(Op op) {
            this.op = op;
        }
    }

    /** Aggregates a Chrome trace of {@code reps} forwards whose wall time was {@code wallMs} each. */
    static Result summarize(JsonNode trace, int reps, double wallMs) {
        JsonNode events = trace.isArray() ? trace : trace.path("traceEvents");
        List<Op> ops = new ArrayList<>();
        for (JsonNode e : events) {
            String cat = e.path("cat").asText("cpu_op");
            if (!"X".equals(e.path("ph").asText()) || !(cat.equals("cpu_op") || cat.equals("Operator"))) {
                continue;
            }
            ops.add(new Op(e.path("name").asText(), e.path("tid").asLong(), e.path("ts").asDouble(), e.path("dur").asDouble()));
        }
        ops.sort(Comparator.comparingLong(Op::tid).thenComparingDouble(Op::start).thenComparing(Comparator.comparingDouble(Op::dur).reversed()));
        Map<String, Double> selfUs = new TreeMap<>();
        Map<String, Double> byClass = new LinkedHashMap<>();
        double topLevelUs = 0;
        long topLevel = 0;
        long allocations = 0;
        Deque<Frame> open = new ArrayDeque<>(); // the ops enclosing the current one, innermost first
        long tid = Long.MIN_VALUE;
        for (Op op : ops) {
            if (op.tid() != tid) {
                closeAll(open, selfUs);
                tid = op.tid();
            }
            while (!open.isEmpty() && open.peek().op.end() <= op.start()) {
                close(open, selfUs);
            }
            if (open.isEmpty()) {
                topLevel++;
                topLevelUs += op.dur();
            } else {
                open.peek().childUs += op.dur();
            }
            if (op.name().startsWith("aten::empty") || op.name().equals("aten::zeros") || op.name().equals("aten::ones")
                || op.name().equals("aten::full")) {
                allocations++;
            }
            open.push(new Frame(op));
        }
        closeAll(open, selfUs);
        for (Map.Entry<String, Double> e : selfUs.entrySet()) {
            byClass.merge(classOf(e.getKey()), e.getValue() / 1000.0 / reps, Double::sum);
        }
        Map<String, Double> top = new LinkedHashMap<>();
        selfUs.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(12)
            .forEach(e -> top.put(e.getKey(), e.getValue() / 1000.0 / reps));
        double outside = Math.max(0, wallMs - topLevelUs / 1000.0 / reps);
        return new Result(wallMs, outside, byClass, (double) topLevel / reps, (double) allocations / reps, top);
    }

    private static void close(Deque<Frame> open, Map<String, Double> selfUs) {
        Frame done = open.pop();
        selfUs.merge(done.op.name(), Math.max(0, done.op.dur() - done.childUs), Double::sum);
    }

    private static void closeAll(Deque<Frame> open, Map<String, Double> selfUs) {
        while (!open.isEmpty()) {
            close(open, selfUs);
        }
    }

    static String classOf(String op) {
        for (Map.Entry<String, List<String>> c : CLASSES.entrySet()) {
            for (String prefix : c.getValue()) {
                if (op.equals(prefix) || op.startsWith(prefix + "_") || (prefix.endsWith("_") && op.startsWith(prefix))) {
                    return c.getKey();
                }
            }
        }
        return "other";
    }
}
