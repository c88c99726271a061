package org.llmretriever.encoder.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.llmretriever.encoder.checkpoint.Checkpoint;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.checkpoint.TensorInfo;
import org.llmretriever.encoder.runtime.TorchRuntime;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The registry of architecture families, keyed by config.json's {@code model_type}. */
public final class Architectures {
    private Architectures() {}

    /** Derives a family's spec from a config (whether the checkpoint has its own LM head decides tying). */
    @FunctionalInterface
    interface SpecFactory {
        ModelSpec spec(ModelConfig config, boolean checkpointHasLmHead);
    }

    /** Builds a family's model from its spec and weights. */
    @FunctionalInterface
    interface Loader {
        DecoderModel load(ModelSpec spec, WeightLoader weights, NDManager manager);
    }

    /** How a family derives its spec and loads its weights. */
    record Family(SpecFactory specs, Loader loader) {
        ModelSpec spec(ModelConfig config, boolean checkpointHasLmHead) {
            return specs.spec(config, checkpointHasLmHead);
        }

        DecoderModel load(ModelSpec spec, WeightLoader weights, NDManager manager) {
            return loader.load(spec, weights, manager);
        }
    }

    private static final Family LLAMA = new Family(LlamaModel::spec, LlamaModel::new);
    private static final Family GPT_NEOX = new Family(GptNeoXModel::spec, GptNeoXModel::new);

    private static final Map<String, Family> BY_MODEL_TYPE = Map.of(
        "llama", LLAMA,      // Llama 2/3, SmolLM, TinyLlama
        "mistral", LLAMA,
        "qwen2", LLAMA,
        "qwen3", LLAMA,
        "gpt_neox", GPT_NEOX // Pythia
    );

    /** Whether a checkpoint tensor is a supported family's token-embedding matrix (Llama-style or GPT-NeoX). */
    public static boolean isTokenEmbedding(String tensorName) {
        return tensorName.endsWith("embed_tokens.weight") || tensorName.endsWith("embed_in.weight");
    }

    /** Every supported {@code model_type}. */
    public static Set<String> supportedModelTypes() {
        return new TreeSet<>(BY_MODEL_TYPE.keySet());
    }

    private static Family family(ModelConfig c) {
        String type = c.modelType();
        Family f = BY_MODEL_TYPE.get(type);
        if (f == null) {
            throw new CheckpointException(
                "model_type '" + type + "' in " + c.source() + " is not supported (supported: " + supportedModelTypes() + ")");
        }
        return f;
    }

    /** The spec a config implies (for random initialization: the LM head is untied unless the config ties it). */
    public static ModelSpec spec(ModelConfig config) {
        return family(config).spec(config, !config.optBool("tie_word_embeddings", false));
    }

    /**
     * Validates a checkpoint from its config and safetensors headers alone (no weights read): every tensor the
     * config implies must exist with that shape.
     */
    public static ModelSpec validate(Checkpoint checkpoint) {
        ModelConfig c = checkpoint.config();
        Family f = family(c);
        boolean hasHead = checkpoint.has("lm_head.weight") || checkpoint.has("embed_out.weight");
        ModelSpec spec = f.spec(c, hasHead);
        for (Map.Entry<String, long[]> e : spec.tensors().entrySet()) {
            TensorInfo t = checkpoint.info(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new CheckpointException(
                    "tensor '" + e.getKey() + "' in " + checkpoint.file(e.getKey()).path() + " has shape " + Arrays.toString(t.shape())
                        + " but config.json implies " + Arrays.toString(e.getValue()));
            }
        }
        return spec;
    }

    /** Loads a validated checkpoint's weights onto {@code device} in {@code dtype} (float32 or float16). */
    public static DecoderModel load(Checkpoint checkpoint, Device device, DataType dtype) {
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute dtype must be float32 or float16, got " + dtype);
        }
        ModelSpec spec = validate(checkpoint);
        NDManager manager = NDManager.newBaseManager(device, TorchRuntime.engine().getEngineName());
        try {
            return family(spec.config()).load(spec, new WeightLoader(checkpoint, manager, dtype), manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
