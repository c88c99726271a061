package org.llmretriever.encoder.checkpoint;

import java.nio.ByteBuffer;

/** Conversions between half-precision encodings and float32, done in Java. */
public final class DTypes {
    private DTypes() {}

    /** bfloat16 bits to float32: bf16 is the top half of a float32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** float32 to bfloat16 bits, round-to-nearest-even (NaN stays NaN). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Reads {@code count} elements of {@code type} from {@code in} (at its position) into {@code out[offset..]}. */
    public static void toFloats(ByteBuffer in, TensorDType type, float[] out, int offset, int count) {
        ByteBuffer b = in.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> b.asFloatBuffer().get(out, offset, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[offset + i] = Float.float16ToFloat(b.getShort(b.position() + 2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    out[offset + i] = bf16ToFloat(b.getShort(b.position() + 2 * i));
                }
            }
        }
    }

    /**
     * Widens BF16 bytes to float32 bytes ({@code in} from its position, {@code count} elements; {@code out}
     * little-endian, written from its position). Used before any BF16 data reaches DJL.
     */
    public static void bf16ToF32(ByteBuffer in, ByteBuffer out, long count) {
        int src = in.position();
        int dst = out.position();
        for (long i = 0; i < count; i++) {
            short s = in.getShort(src + (int) (2 * i));
            out.putInt(dst + (int) (4 * i), (s & 0xffff) << 16);
        }
    }
}
