package org.llmretriever.encoder.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.Linear;
import org.llmretriever.encoder.model.LoraAdapter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Attaching, merging and listing LoRA adapters on a {@link DecoderModel}. */
public final class Lora {
    private Lora() {}

    /** Attention and MLP projections of each family (what {@code --lora-rank} adapts by default). */
    public static List<String> defaultTargets(DecoderModel model) {
        return model.spec().family().equals("gpt_neox")
            ? List.of("query_key_value", "dense", "dense_h_to_4h", "dense_4h_to_h")
            : List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    }

    /**
     * Attaches fresh adapters to every targeted projection (not the LM head): A ~ U(-1/sqrt(in), 1/sqrt(in))
     * (PEFT's Kaiming-uniform), B = 0, both trainable. Seeded, so runs are reproducible. Returns them by module.
     */
    public static Map<String, LoraAdapter> attach(DecoderModel model, LoraConfig config, long seed) {
        Map<String, LoraAdapter> out = new LinkedHashMap<>();
        NDManager m = model.manager();
        for (Linear l : model.linears().values()) {
            if (!config.targets(l.name()) || l.name().equals("lm_head") || l.name().equals("embed_out")) {
                continue;
            }
            int in = (int) l.inFeatures();
            int outF = (int) l.outFeatures();
            SplittableRandom rnd = new SplittableRandom(seed ^ l.name().hashCode() * 0x9E3779B97F4A7C15L);
            float bound = (float) (1.0 / Math.sqrt(in));
            float[] a = new float[config.rank() * in];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
            NDArray aArr = m.create(a, new Shape(config.rank(), in)).toType(model.dtype(), false);
            NDArray bArr = m.zeros(new Shape(outF, config.rank()), model.dtype());
            aArr.setRequiresGradient(true);
            bArr.setRequiresGradient(true);
            LoraAdapter adapter = new LoraAdapter(aArr, bArr, config.alpha(), config.dropout());
            l.setLora(adapter);
            out.put(l.name(), adapter);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no projection matches LoRA targets " + config.targetModules()
                + " (this model has e.g. " + model.linears().keySet().stream().limit(4).toList() + ")");
        }
        return out;
    }

    /** The attached adapters by module path. */
    public static Map<String, LoraAdapter> adapters(DecoderModel model) {
        Map<String, LoraAdapter> out = new LinkedHashMap<>();
        for (Linear l : model.linears().values()) {
            if (l.lora() != null) {
                out.put(l.name(), l.lora());
            }
        }
        return out;
    }

    /** Trainable arrays of all adapters (A and B of each). */
    public static List<NDArray> trainable(DecoderModel model) {
        List<NDArray> out = new ArrayList<>();
        for (LoraAdapter a : adapters(model).values()) {
            out.add(a.a());
            out.add(a.b());
        }
        return out;
    }

    /** Switches adapter dropout on (training) or off (inference). */
    public static void setTraining(DecoderModel model, boolean training) {
        adapters(model).values().forEach(a -> a.setTraining(training));
    }

    /** Folds every adapter into its base weight ({@code W += B A * alpha / r}) and removes it. */
    public static void merge(DecoderModel model) {
        for (Linear l : model.linears().values()) {
            l.mergeLora();
        }
    }
}
