package org.llmretriever.cli;

import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.checkpoint.TensorDType;
import org.llmretriever.encoder.checkpoint.TensorInfo;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.Architectures;
import org.llmretriever.encoder.model.RandomInit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code control}: the control checkpoints of docs/quality.md, made from a real one so that they share its
 * tokenizer and shape. A retrieval recipe that scores below these has learned less than doing nothing.
 * <ul>
 * <li>{@code layers-off}: every layer's output projections (attention and MLP) zeroed, so each layer adds nothing
 *     to the residual stream, and the final norm's weight set to 1: the model is a mean of its token embeddings.</li>
 * <li>{@code random-embeddings}: the same, with the token embeddings replaced by standard normal values — a random
 *     projection of the bag of tokens.</li>
 * <li>{@code random-init}: fresh random weights of the same config (to adapt with the same recipe).</li>
 * </ul>
 */
@Command(name = "control", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Write a control checkpoint derived from a model: layers switched off, random embeddings, or random initialisation.",
        "Example:",
        "  ./llm-retriever control --from models/demo-base --kind random-embeddings --out runs/control-random-embeddings/model"
    })
public final class ControlCommand implements Callable<Integer> {
    /** Output projections of each layer's attention and MLP, per family (Llama-like, GPT-NeoX). */
    private static final List<String> OUTPUT_PROJECTIONS = List.of("self_attn.o_proj.", "mlp.down_proj.", "attention.dense.", "mlp.dense_4h_to_h.");
    /** The final norm before the LM head, per family. */
    private static final List<String> FINAL_NORMS = List.of("model.norm.weight", "gpt_neox.final_layer_norm.weight");

    @Option(names = "--from", required = true, description = "The model directory to derive from (single model.safetensors).")
    Path from;

    @Option(names = "--kind", required = true, description = "layers-off, random-embeddings or random-init.")
    String kind;

    @Option(names = "--out", required = true, description = "Directory to write (replaced).")
    Path out;

    @Option(names = "--scale", defaultValue = "0.1", description = "For residual-scaled: factor of the output projections (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--seed", defaultValue = "7", description = "Seed of the random values (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!List.of("layers-off", "random-embeddings", "random-init", "residual-scaled", "embedding-scaled").contains(kind)) {
            throw new IllegalArgumentException("--kind must be layers-off, random-embeddings, random-init or residual-scaled, got " + kind);
        }
        Path weights = from.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException(from + " has no single model.safetensors (sharded checkpoints are not supported here)");
        }
        FileTrees.deleteRecursively(out);
        if (kind.equals("random-init")) {
            RandomInit.write(ModelConfig.read(from.resolve("config.json")), Files.readString(from.resolve("tokenizer.json")), seed, out, Long.MAX_VALUE);
            copyIfPresent("tokenizer_config.json");
            System.out.println("wrote randomly initialised " + out);
            return ExitCodes.OK;
        }
        Files.createDirectories(out);
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        int zeroed = 0;
        Random rng = new Random(seed);
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            for (TensorInfo t : f.tensors().values()) {
                float[] v = f.readFloats(t.name());
                boolean embedding = Architectures.isTokenEmbedding(t.name());
                if (kind.equals("embedding-scaled")) {
                    if (embedding) {
                        for (int i = 0; i < v.length; i++) {
                            v[i] *= (float) scale;
                        }
                        zeroed++;
                    }
                } else if (OUTPUT_PROJECTIONS.stream().anyMatch(t.name()::contains)) {
                    float factor = kind.equals("residual-scaled") ? (float) scale : 0f;
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= factor;
                    }
                    zeroed++;
                } else if (FINAL_NORMS.contains(t.name()) && !kind.equals("residual-scaled")) {
                    java.util.Arrays.fill(v, 1f);
                } else if (kind.equals("random-embeddings") && embedding) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) rng.nextGaussian();
                    }
                }
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                tensors.add(new SafetensorsWriter.Tensor(t.name(), TensorDType.F32, t.shape(), b));
            }
        }
        if (zeroed == 0) {
            throw new IllegalArgumentException(from + " has no output projections this command knows (" + OUTPUT_PROJECTIONS + ")");
        }
        SafetensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json")) {
            copyIfPresent(f);
        }
        System.out.printf("wrote %s: %d output projections zeroed, final norm = 1%s%n", out, zeroed,
            kind.equals("random-embeddings") ? ", token embeddings ~ N(0, 1)" : "");
        return ExitCodes.OK;
    }

    private void copyIfPresent(String name) throws java.io.IOException {
        if (Files.isRegularFile(from.resolve(name))) {
            Files.copy(from.resolve(name), out.resolve(name));
        }
    }
}
