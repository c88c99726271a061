package org.llmretriever.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.TokenBatch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Measures the peak resident memory of one forward pass in a fresh JVM, so memory freed by an earlier case (kept
 * by the allocator) cannot hide the next case's peak. Run as {@code MemoryProbe <modelDir> <tokens> <blockwise|full>};
 * prints {@code peak_extra_mb=<MiB>}.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    /** Subprocess entry point. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int len = Integer.parseInt(args[1]);
        boolean blockwise = args[2].equals("blockwise");
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults().withMaxTokens(len))) {
            DecoderModel model = m.model();
            model.setBlockwiseAttention(blockwise ? 1024 : Integer.MAX_VALUE, 256);
            forward(model, 64); // initialize libtorch's thread pools and allocator
            System.gc();
            double base = NativeMemory.rssMb();
            NativeMemory.resetPeak();
            forward(model, len);
            System.out.println("peak_extra_mb=" + (NativeMemory.peakMb() - base));
        }
    }

    private static void forward(DecoderModel model, int len) {
        Random rnd = new Random(len);
        long[] ids = new long[len];
        for (int i = 0; i < len; i++) {
            ids[i] = 4 + rnd.nextInt(300);
        }
        try (NDManager s = model.manager().newSubManager()) {
            TokenBatch.Inputs in = TokenBatch.of(List.of(ids), 3, TokenBatch.PaddingSide.LEFT).toArrays(s);
            NDArray h = model.forward(in.ids(), in.positions(), AttentionMask.causal(in.keyValid()));
            h.toType(DataType.FLOAT32, false).sum().getFloat();
        }
    }

    /** Runs the probe in a child JVM with this JVM's classpath and returns the peak extra MiB. */
    static double measure(Path modelDir, int len, boolean blockwise) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        for (String p : List.of("llmretriever.native.cache", "ai.djl.offline")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add(MemoryProbe.class.getName());
        cmd.add(modelDir.toString());
        cmd.add(Integer.toString(len));
        cmd.add(blockwise ? "blockwise" : "full");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException("memory probe failed (" + String.join(" ", cmd.subList(cmd.size() - 3, cmd.size())) + "):\n" + out);
        }
        for (String line : out.split("\n")) {
            if (line.startsWith("peak_extra_mb=")) {
                return Double.parseDouble(line.substring("peak_extra_mb=".length()).trim());
            }
        }
        throw new IOException("memory probe printed no result:\n" + out);
    }
}
