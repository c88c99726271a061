package org.llmretriever.encoder.checkpoint;

import java.util.Locale;

/** Element types of safetensors files that we read and write. */
public enum TensorDType {
    /** IEEE float32. */
    F32(4),
    /** IEEE float16. */
    F16(2),
    /** bfloat16: never handed to DJL (its PyTorch JNI aborts the JVM on BF16), always widened first. */
    BF16(2);

    private final int bytes;

    TensorDType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Parses a safetensors dtype string; unknown ones fail with the tensor and file named. */
    public static TensorDType parse(String s, String tensor, Object file) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(
                "unsupported dtype '" + s + "' for tensor '" + tensor + "' in " + file + " (supported: F32, F16, BF16)");
        }
    }
}
