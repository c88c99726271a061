package org.llmretriever.encoder;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.lora.Lora;
import org.llmretriever.encoder.lora.LoraConfig;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.LoraAdapter;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.model.TokenBatch;
import org.llmretriever.encoder.runtime.TorchRuntime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** The forward trains: gradients reach LoRA parameters and agree with finite differences; the base stays frozen. */
public class GradientTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    /** A fixed projection of the pooled vectors (not their norm: after RMSNorm that is constant). */
    private static NDArray lossOf(DecoderModel m, TokenBatch tb, NDManager s) {
        TokenBatch.Inputs in = tb.toArrays(s);
        NDArray h = m.forward(in.ids(), in.positions(), AttentionMask.causal(in.keyValid()));
        NDArray pooled = EncoderModel.pool(h, tb, in.keyValid(), Pooling.LAST_TOKEN);
        float[] w = new float[m.hiddenSize()];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i + 1.0);
        }
        return pooled.mul(s.create(w)).sum();
    }

    private static float loss(DecoderModel m, TokenBatch tb) {
        try (NDManager s = m.manager().newSubManager()) {
            return lossOf(m, tb, s).getFloat();
        }
    }

    @Test
    public void loraGradientsMatchFiniteDifferences() throws Exception {
        for (String variant : List.of("llama", "gpt_neox")) {
            Path dir = RandomCheckpoints.write(tmp.newFolder(variant).toPath(), variant, 3);
            try (EncoderModel em = EncoderModel.load(dir, EncoderOptions.defaults())) {
                DecoderModel m = em.model();
                Map<String, LoraAdapter> adapters = Lora.attach(m, new LoraConfig(2, 4, 0f, Lora.defaultTargets(m)), 11);
                LoraAdapter first = adapters.values().iterator().next();
                assertTrue(first.b().hasGradient());
                TokenBatch tb = TokenBatch.of(List.of(new long[] { 1, 40, 41, 42, 2 }, new long[] { 1, 70, 2 }), 3, TokenBatch.PaddingSide.LEFT);
                NDArray gradB;
                try (NDManager s = m.manager().newSubManager(); GradientCollector gc = TorchRuntime.engine().newGradientCollector()) {
                    gc.backward(lossOf(m, tb, s));
                }
                gradB = first.b().getGradient();
                float[] g = gradB.toFloatArray();
                float norm = 0;
                for (float x : g) {
                    norm += x * x;
                }
                assertTrue(variant + ": gradient of B must be non-zero", norm > 1e-8);
                // base weights are frozen
                assertTrue(!m.linears().values().iterator().next().weight().hasGradient());
                // finite difference on the largest gradient entry
                int k = 0;
                for (int i = 1; i < g.length; i++) {
                    if (Math.abs(g[i]) > Math.abs(g[k])) {
                        k = i;
                    }
                }
                float[] b = first.b().toFloatArray();
                float eps = 1e-2f;
                b[k] += eps;
                first.b().set(b);
                float up = loss(m, tb);
                b[k] -= 2 * eps;
                first.b().set(b);
                float down = loss(m, tb);
                float numeric = (up - down) / (2 * eps);
                assertEquals(variant + " d loss / d B[" + k + "]", g[k], numeric, Math.abs(g[k]) * 0.02 + 1e-4);
                assertTrue(Engine.getEngine("PyTorch") != null);
            }
        }
    }
}
