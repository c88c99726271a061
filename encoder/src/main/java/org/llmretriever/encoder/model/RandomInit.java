package org.llmretriever.encoder.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.checkpoint.TensorDType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialized checkpoint of any supported config, as transformers would initialize it: weights
 * ~ N(0, initializer_range), norm weights 1, biases 0. Deterministic for a seed. Used to start
 * {@code adapt --objective clm} from scratch and to build small test models (no download needed).
 */
public final class RandomInit {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RandomInit() {}

    /** Writes {@code config.json}, {@code tokenizer.json} and {@code model.safetensors} (float32) into {@code dir}. */
    public static void write(ModelConfig config, String tokenizerJson, long seed, Path dir, long maxShardBytes) throws IOException {
        ModelSpec spec = Architectures.spec(config);
        double std = config.optDouble("initializer_range", 0.02);
        Files.createDirectories(dir);
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config.json());
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, long[]> e : spec.tensors().entrySet()) {
            String name = e.getKey();
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
            boolean norm = name.endsWith("norm.weight") || name.contains("layernorm.weight") || name.endsWith("final_layer_norm.weight");
            if (norm) {
                for (long i = 0; i < n; i++) {
                    buf.putFloat(1f);
                }
            } else if (!name.endsWith(".bias")) {
                SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
                for (long i = 0; i < n; i++) {
                    buf.putFloat((float) (rnd.nextGaussian() * std));
                }
            }
            buf.clear();
            tensors.add(new SafetensorsWriter.Tensor(name, TensorDType.F32, e.getValue(), buf));
        }
        SafetensorsWriter.writeSharded(dir, tensors, maxShardBytes);
    }
}
