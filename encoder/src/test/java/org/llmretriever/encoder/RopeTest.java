package org.llmretriever.encoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.Test;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.model.Rope;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Each RoPE scaling variant against its closed form, written out independently here. */
public class RopeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DIM = 64;
    private static final double BASE = 10000;

    private static Rope rope(String scalingJson, int maxPos) throws Exception {
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", "llama");
        c.put("rope_theta", BASE);
        c.put("max_position_embeddings", maxPos);
        if (scalingJson != null) {
            c.set("rope_scaling", JSON.readTree(scalingJson));
        }
        return Rope.fromConfig(ModelConfig.of(c, "test"), DIM, BASE);
    }

    private static double plain(int i) {
        return 1.0 / Math.pow(BASE, 2.0 * i / DIM);
    }

    private static void assertClose(double expected, double actual) {
        assertEquals(expected, actual, Math.abs(expected) * 1e-5 + 1e-9);
    }

    @Test
    public void defaultIsTheStandardFrequencies() throws Exception {
        float[] f = rope(null, 2048).invFreq(10);
        for (int i = 0; i < DIM / 2; i++) {
            assertClose(plain(i), f[i]);
        }
    }

    @Test
    public void linearDividesEveryFrequencyByTheFactor() throws Exception {
        float[] f = rope("{\"type\":\"linear\",\"factor\":4.0}", 2048).invFreq(10);
        for (int i = 0; i < DIM / 2; i++) {
            assertClose(plain(i) / 4, f[i]);
        }
    }

    @Test
    public void dynamicNtkGrowsTheBaseOnlyBeyondTheTrainedLength() throws Exception {
        Rope r = rope("{\"type\":\"dynamic\",\"factor\":2.0}", 512);
        float[] shortSeq = r.invFreq(100);
        for (int i = 0; i < DIM / 2; i++) {
            assertClose(plain(i), shortSeq[i]);
        }
        int len = 2048;
        double base = BASE * Math.pow(2.0 * len / 512 - 1, DIM / (DIM - 2.0));
        float[] longSeq = r.invFreq(len);
        for (int i = 0; i < DIM / 2; i++) {
            assertClose(1.0 / Math.pow(base, 2.0 * i / DIM), longSeq[i]);
        }
    }

    @Test
    public void llama3KeepsHighFrequenciesScalesLowOnesAndSmoothsBetween() throws Exception {
        double factor = 8;
        double low = 1;
        double high = 4;
        int orig = 8192;
        float[] f = rope("{\"rope_type\":\"llama3\",\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,"
            + "\"original_max_position_embeddings\":8192}", 131072).invFreq(10);
        int kept = 0;
        int scaled = 0;
        int smoothed = 0;
        for (int i = 0; i < DIM / 2; i++) {
            double freq = plain(i);
            double wavelen = 2 * Math.PI / freq;
            double expected;
            if (wavelen < orig / high) {
                expected = freq;
                kept++;
            } else if (wavelen > orig / low) {
                expected = freq / factor;
                scaled++;
            } else {
                double smooth = (orig / wavelen - low) / (high - low);
                expected = (1 - smooth) * freq / factor + smooth * freq;
                smoothed++;
            }
            assertClose(expected, f[i]);
        }
        assertTrue("all three regimes must be exercised", kept > 0 && scaled > 0 && smoothed > 0);
    }

    @Test
    public void yarnRampsBetweenInterpolationAndExtrapolationAndScalesAttention() throws Exception {
        double factor = 4;
        int orig = 2048;
        Rope r = rope("{\"type\":\"yarn\",\"factor\":4.0,\"original_max_position_embeddings\":2048}", 8192);
        float[] f = r.invFreq(10);
        double lowDim = DIM * Math.log(orig / (32 * 2 * Math.PI)) / (2 * Math.log(BASE));
        double highDim = DIM * Math.log(orig / (1 * 2 * Math.PI)) / (2 * Math.log(BASE));
        double lo = Math.max(Math.floor(lowDim), 0);
        double hi = Math.min(Math.ceil(highDim), DIM - 1);
        for (int i = 0; i < DIM / 2; i++) {
            double ramp = Math.min(1, Math.max(0, (i - lo) / (hi - lo)));
            double extrapolationWeight = 1 - ramp;
            double expected = plain(i) / factor * ramp + plain(i) * extrapolationWeight;
            assertClose(expected, f[i]);
        }
        assertClose(f[0], plain(0));               // fastest frequency extrapolated
        assertClose(f[DIM / 2 - 1], plain(DIM / 2 - 1) / factor); // slowest interpolated
        assertClose(0.1 * Math.log(factor) + 1, r.attentionScaling());
        float[][] t = r.tables(3);
        assertClose(Math.cos(2 * f[0]) * r.attentionScaling(), t[0][2 * DIM]);
    }

    @Test
    public void tablesRepeatFrequenciesForRotateHalf() throws Exception {
        Rope r = rope(null, 64);
        float[][] t = r.tables(5);
        for (int p = 0; p < 5; p++) {
            for (int i = 0; i < DIM / 2; i++) {
                assertClose(Math.cos(p * plain(i)), t[0][p * DIM + i]);
                assertEquals(t[0][p * DIM + i], t[0][p * DIM + i + DIM / 2], 0f);
                assertClose(Math.sin(p * plain(i)), t[1][p * DIM + i]);
            }
        }
    }

    @Test
    public void unknownScalingTypeIsAClearError() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> rope("{\"type\":\"longrope\",\"factor\":2.0}", 512));
        assertTrue(e.getMessage(), e.getMessage().contains("rope_scaling.type") && e.getMessage().contains("longrope"));
    }

    private static Rope fromJson(String configJson) throws Exception {
        return Rope.fromConfig(ModelConfig.of((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(configJson), "test"), DIM, 10000.0);
    }

    @Test
    public void transformersV5RopeParametersGiveTheSameFrequenciesAsTheV4Layout() throws Exception {
        Rope v4 = fromJson("{\"max_position_embeddings\":131072,\"rope_theta\":500000.0,\"rope_scaling\":{\"rope_type\":\"llama3\","
            + "\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8192}}");
        Rope v5 = fromJson("{\"max_position_embeddings\":131072,\"rope_parameters\":{\"rope_type\":\"llama3\",\"rope_theta\":500000.0,"
            + "\"factor\":8.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8192}}");
        assertEquals(Rope.Type.LLAMA3, v5.type());
        org.junit.Assert.assertArrayEquals(v4.invFreq(10), v5.invFreq(10), 0f);
        Rope plainV5 = fromJson("{\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1000000.0}}");
        Rope plainV4 = fromJson("{\"rope_theta\":1000000.0}");
        org.junit.Assert.assertArrayEquals(plainV4.invFreq(10), plainV5.invFreq(10), 0f);
        // the theta must not silently fall back to 10000
        org.junit.Assert.assertNotEquals(fromJson("{}").invFreq(10)[DIM / 2 - 1], plainV5.invFreq(10)[DIM / 2 - 1], 1e-12f);
    }

    @Test
    public void perLayerTypeRopeParametersAreRefusedByName() {
        Exception e = org.junit.Assert.assertThrows(Exception.class, () -> fromJson(
            "{\"rope_parameters\":{\"full_attention\":{\"rope_type\":\"default\",\"rope_theta\":1000000.0},"
                + "\"sliding_attention\":{\"rope_type\":\"default\",\"rope_theta\":10000.0}}}"));
        assertTrue(e.getMessage(), e.getMessage().contains("rope_parameters.full_attention"));
    }
}
