package org.llmretriever.encoder.model;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;

import java.util.Map;

import static org.junit.Assert.assertEquals;

/** The one FLOP model: projections and attention per token, LM head only where asked, tied or not. */
public class ForwardFlopsTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static double projectionWeights(DecoderModel m) {
        long n = 0;
        for (Map.Entry<String, long[]> t : m.spec().tensors().entrySet()) {
            boolean projection = t.getKey().startsWith("model.layers.") || t.getKey().startsWith("gpt_neox.layers.");
            if (projection && t.getKey().endsWith(".weight") && t.getValue().length == 2) {
                n += t.getValue()[0] * t.getValue()[1];
            }
        }
        return n;
    }

    @Test
    public void everyFamilyCountsItsProjectionsAttentionAndHead() throws Exception {
        for (String variant : RandomCheckpoints.VARIANTS) {
            try (EncoderModel em = EncoderModel.load(RandomCheckpoints.write(tmp.newFolder(variant).toPath(), variant, 3), EncoderOptions.defaults())) {
                DecoderModel m = em.model();
                int heads = m.config().requiredInt("num_attention_heads");
                int headDim = m.config().optInt("head_dim", m.hiddenSize() / heads);
                long t = 10;
                double attention = 4.0 * t * heads * headDim * m.spec().layers();
                assertEquals(variant, (2 * projectionWeights(m) + attention) * t, m.forwardFlops(1, t, 0), 1e-6);
                assertEquals(variant + ": linear in the batch", 3 * m.forwardFlops(1, t, 0), m.forwardFlops(3, t, 0), 1e-6);
                assertEquals(variant + ": the LM head only at the positions asked for", 2.0 * m.hiddenSize() * m.vocabSize() * 5,
                    m.forwardFlops(1, t, 5) - m.forwardFlops(1, t, 0), 1e-6);
            }
        }
    }
}
