package org.llmretriever.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.checkpoint.TensorDType;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.TokenWeights;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.model.TokenBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * {@code weighted_mean} pooling: each token's final hidden state weighted by its id's weight from
 * {@code token_weights.safetensors}, computed here independently from the model's hidden states; the weights file
 * (IDF, round trip, malformed or missing).
 */
public class WeightedMeanPoolingTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    private static Path dir;
    private static EncoderModel plain;

    @BeforeClass
    public static void load() throws IOException {
        dir = RandomCheckpoints.write(tmp.newFolder("llama").toPath(), "llama", 62);
        plain = EncoderModel.load(dir, EncoderOptions.defaults().withPooling(Pooling.MEAN).withNormalize(false));
    }

    @AfterClass
    public static void close() {
        plain.close();
    }

    /** Final hidden states {@code [T, D]} of one sequence, straight from the model. */
    private static float[][] states(long[] ids) {
        try (NDManager m = plain.model().manager().newSubManager()) {
            TokenBatch.Inputs in = TokenBatch.of(List.of(ids), plain.padId(), TokenBatch.PaddingSide.RIGHT).toArrays(m);
            NDArray h = plain.model().forward(in.ids(), in.positions(), plain.attentionMask(in.keyValid()));
            float[] flat = h.toType(DataType.FLOAT32, false).toFloatArray();
            int d = (int) h.getShape().get(2);
            float[][] out = new float[ids.length][];
            for (int t = 0; t < ids.length; t++) {
                out[t] = Arrays.copyOfRange(flat, t * d, (t + 1) * d);
            }
            return out;
        }
    }

    private static float[] weightsFavouring(long id, float heavy) {
        float[] w = new float[plain.model().vocabSize()];
        Arrays.fill(w, 1f);
        w[(int) id] = heavy;
        return w;
    }

    @Test
    public void eachStateCountsByItsTokensWeightInBatchesToo() {
        String text = "rivers and bridges of the old town";
        long[] ids = plain.tokenize(text, Kind.PASSAGE, EncoderOptions.Truncation.TRUNCATE).ids();
        long heavyId = ids[ids.length - 2];
        float[] w = weightsFavouring(heavyId, 5f);
        EncoderModel weighted = plain.withTokenWeights(new TokenWeights(w));
        assertEquals(Pooling.WEIGHTED_MEAN, weighted.options().pooling());
        float[][] h = states(ids);
        float[] expected = new float[h[0].length];
        double total = 0;
        for (long id : ids) {
            total += w[(int) id];
        }
        for (int t = 0; t < ids.length; t++) {
            for (int k = 0; k < expected.length; k++) {
                expected[k] += (float) (w[(int) ids[t]] / total * h[t][k]);
            }
        }
        List<String> texts = List.of("a", text, "the committee approved the budget for the next year after a long debate");
        float[][] batch = weighted.embed(texts, Kind.PASSAGE).vectors();
        assertArrayEquals(expected, batch[1], 1e-5f);
        float[] mean = plain.embed(List.of(text), Kind.PASSAGE).vectors()[0];
        assertTrue("the weight changes the vector", maxDiff(mean, batch[1]) > 1e-3);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(weighted.embed(List.of(texts.get(i)), Kind.QUERY).vectors()[0], batch[i], 1e-5f);
        }
        // equal weights are the plain mean
        float[] ones = new float[plain.model().vocabSize()];
        Arrays.fill(ones, 2f);
        assertArrayEquals(mean, plain.withTokenWeights(new TokenWeights(ones)).embed(List.of(text), Kind.PASSAGE).vectors()[0], 1e-5f);
    }

    @Test
    public void inverseDocumentFrequencyFavoursRareTokensAndGivesUnseenOnesOne() {
        List<long[]> docs = List.of(new long[] { 5, 6, 6 }, new long[] { 5, 7 }, new long[] { 5 });
        TokenWeights w = TokenWeights.inverseDocumentFrequency(docs, 10);
        assertEquals(1f, w.weight(5), 1e-6f); // in every document: ln(4/4) + 1
        assertEquals((float) (Math.log(4.0 / 2) + 1), w.weight(6), 1e-6f); // once per document, however often inside it
        assertEquals(w.weight(6), w.weight(7), 1e-6f);
        assertEquals(1f, w.weight(0), 0f);
        assertEquals(1f, w.weight(99), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> TokenWeights.inverseDocumentFrequency(List.of(new long[] { 12 }), 10));
        assertTrue(e.getMessage(), e.getMessage().contains("token id 12 of document #0 is outside the vocabulary of 10"));
        assertThrows(IllegalArgumentException.class, () -> new TokenWeights(new float[] { 1f, -1f }));
        assertThrows(IllegalArgumentException.class, () -> new TokenWeights(new float[] { Float.NaN }));
    }

    @Test
    public void theWeightsTravelWithTheModelDirectory() throws IOException {
        Path copy = tmp.newFolder("with-weights").toPath();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        long[] ids = plain.tokenize("cats sleep", Kind.PASSAGE, EncoderOptions.Truncation.TRUNCATE).ids();
        TokenWeights w = new TokenWeights(weightsFavouring(ids[ids.length - 1], 3f));
        w.write(copy);
        assertEquals(w.weight(ids[ids.length - 1]), TokenWeights.read(copy).orElseThrow().weight(ids[ids.length - 1]), 0f);
        EncoderOptions opts = EncoderOptions.defaults().withPooling(Pooling.WEIGHTED_MEAN).withNormalize(false);
        try (EncoderModel loaded = EncoderModel.load(copy, opts)) {
            assertArrayEquals(plain.withTokenWeights(w).embed(List.of("cats sleep"), Kind.QUERY).vectors()[0],
                loaded.embed(List.of("cats sleep"), Kind.QUERY).vectors()[0], 1e-6f);
        }
        CheckpointException missing = assertThrows(CheckpointException.class, () -> EncoderModel.load(dir, opts));
        assertTrue(missing.getMessage(), missing.getMessage().startsWith("weighted_mean pooling needs per-token weights in "
            + dir.resolve(TokenWeights.FILE)));
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(1f).flip();
        SafetensorsWriter.write(copy.resolve(TokenWeights.FILE), List.of(new SafetensorsWriter.Tensor("idf", TensorDType.F32, new long[] { 2 }, b)),
            Map.of());
        CheckpointException malformed = assertThrows(CheckpointException.class, () -> EncoderModel.load(copy, opts));
        assertTrue(malformed.getMessage(), malformed.getMessage().contains("must hold one 1-D tensor 'token_weights' [vocab]; it holds [idf]"));
        assertEquals(Pooling.WEIGHTED_MEAN, Pooling.parse("weighted_mean"));
        assertEquals("weighted_mean", Pooling.WEIGHTED_MEAN.toString());
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
