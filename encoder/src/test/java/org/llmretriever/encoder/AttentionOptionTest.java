package org.llmretriever.encoder;

import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.model.TokenBatch;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.embed.Pooling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The {@code attention} option: bidirectional embedding lets early tokens see later ones; batching never changes vectors. */
public class AttentionOptionTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    private static EncoderModel causal;
    private static EncoderModel bidirectional;

    @BeforeClass
    public static void load() throws IOException {
        Path dir = RandomCheckpoints.write(tmp.newFolder("llama").toPath(), "llama", 3);
        // first-token pooling = suffix_mean over the whole text is not available; use mean pooling and compare states
        causal = EncoderModel.load(dir, EncoderOptions.defaults().withPooling(Pooling.MEAN));
        bidirectional = causal.withOptions(causal.options().withAttention(EncoderOptions.Attention.BIDIRECTIONAL), causal.tokenizer());
    }

    @AfterClass
    public static void close() {
        causal.close();
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    public void parsesAndNamesBothKinds() {
        assertEquals(EncoderOptions.Attention.BIDIRECTIONAL, EncoderOptions.Attention.parse(" Bidirectional "));
        assertEquals("causal", EncoderOptions.Attention.CAUSAL.toString());
        IllegalArgumentException e = org.junit.Assert.assertThrows(IllegalArgumentException.class, () -> EncoderOptions.Attention.parse("full"));
        assertTrue(e.getMessage(), e.getMessage().contains("causal' or 'bidirectional"));
        assertEquals(EncoderOptions.Attention.CAUSAL, EncoderOptions.defaults().attention());
    }

    @Test
    public void bidirectionalEmbeddingsDifferFromCausalOnes() {
        String text = "rivers and bridges of the old town";
        float[] c = causal.embed(List.of(text), Kind.PASSAGE).vectors()[0];
        float[] b = bidirectional.embed(List.of(text), Kind.PASSAGE).vectors()[0];
        assertTrue("bidirectional attention must change the vector, max diff " + maxDiff(c, b), maxDiff(c, b) > 1e-3);
    }

    @Test
    public void bidirectionalVectorsDoNotDependOnPaddingOrBatchMates() {
        List<String> texts = List.of("a", "rivers and bridges of the old town and its long history", "cats");
        float[][] batch = bidirectional.embed(texts, Kind.PASSAGE).vectors();
        for (int i = 0; i < texts.size(); i++) {
            float[] one = bidirectional.embed(List.of(texts.get(i)), Kind.PASSAGE).vectors()[0];
            assertTrue("text " + i + ": batched vs alone differ by " + maxDiff(one, batch[i]), maxDiff(one, batch[i]) < 1e-5);
        }
    }

    @Test
    public void onlyBidirectionalLetsALaterTokenChangeTheFirstState() {
        long[] a = causal.tokenizer().encode("the old town river", false);
        long[] b = a.clone();
        b[b.length - 1] = (b[b.length - 1] + 7) % causal.model().vocabSize();
        assertEquals("causal: the first position cannot see the last token", 0.0, firstStateDiff(a, b, false), 0.0);
        assertTrue("bidirectional: the first position sees the last token", firstStateDiff(a, b, true) > 1e-4);
    }

    /** Max difference of the first position's final state between two sequences of equal length. */
    private static double firstStateDiff(long[] a, long[] b, boolean bidi) {
        EncoderModel m = bidi ? bidirectional : causal;
        try (ai.djl.ndarray.NDManager mgr = m.model().manager().newSubManager()) {
            org.llmretriever.encoder.model.TokenBatch tb = org.llmretriever.encoder.model.TokenBatch.of(List.of(a, b), m.padId(),
                org.llmretriever.encoder.model.TokenBatch.PaddingSide.RIGHT);
            TokenBatch.Inputs in = tb.toArrays(mgr);
            ai.djl.ndarray.NDArray h = m.model().forward(in.ids(), in.positions(), m.attentionMask(in.keyValid())); // [2, T, D]
            float[] first0 = h.get("0, 0, :").toFloatArray();
            float[] first1 = h.get("1, 0, :").toFloatArray();
            return maxDiff(first0, first1);
        }
    }
}
