package org.llmretriever.yamlrest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.RandomCheckpoints;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The checkpoints the YAML suites use, generated before the node starts (tests never depend on ../shared):
 * <ul>
 *   <li>{@code tiny-llama}, {@code tiny-neox}: random tiny models with a generated tokenizer (32-dimensional);</li>
 *   <li>{@code broken}: a tiny model whose weights file is truncated;</li>
 *   <li>{@code escape}: a symbolic link to a valid model outside the models path (must be refused);</li>
 *   <li>{@code unsupported-layer-types}: a tiny Qwen3 whose config.json lists a layer kind we do not implement
 *       ({@code chunked_attention}), which registration must refuse with a 400 naming the key.</li>
 * </ul>
 */
final class TestModels {
    private TestModels() {}

    static void write(Path modelsDir, Path outsideDir) throws IOException {
        Files.createDirectories(modelsDir);
        RandomCheckpoints.write(modelsDir.resolve("tiny-llama"), "llama", 11);
        RandomCheckpoints.write(modelsDir.resolve("tiny-neox"), "gpt_neox", 12);
        Path broken = RandomCheckpoints.write(modelsDir.resolve("broken"), "llama", 13);
        Path weights = broken.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(weights) / 2);
        }
        Path outside = RandomCheckpoints.write(outsideDir.resolve("outside-model"), "llama", 14);
        Files.createSymbolicLink(modelsDir.resolve("escape"), outside);
        Path unsupported = RandomCheckpoints.write(modelsDir.resolve("unsupported-layer-types"), "qwen3", 23);
        ObjectNode c = RandomCheckpoints.config("qwen3");
        c.putArray("layer_types").add("full_attention").add("chunked_attention");
        Files.writeString(unsupported.resolve("config.json"), c.toPrettyString());
    }

    /** A Llama wide enough that embedding takes measurable time (4 layers of {@code hidden}), for load tests. */
    static Path writeMedium(Path dir, int hidden) throws IOException {
        ObjectNode c = RandomCheckpoints.config("llama");
        c.put("hidden_size", hidden);
        c.put("num_hidden_layers", 4);
        c.put("num_attention_heads", 4);
        c.put("num_key_value_heads", 4);
        c.put("intermediate_size", hidden * 11 / 4);
        return RandomCheckpoints.write(dir, c, 15);
    }

    /** Damaged checkpoints, one damage each, named {@code corrupt-*}: see {@link #CORRUPTED}. */
    static void writeCorrupted(Path modelsDir) throws IOException {
        Path config = RandomCheckpoints.write(modelsDir.resolve("corrupt-config"), "llama", 16);
        Files.writeString(config.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": ");
        Path tokenizer = RandomCheckpoints.write(modelsDir.resolve("corrupt-tokenizer"), "llama", 17);
        Files.writeString(tokenizer.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": 7}}");
        Path header = RandomCheckpoints.write(modelsDir.resolve("corrupt-header"), "llama", 18);
        try (FileChannel ch = FileChannel.open(header.resolve("model.safetensors"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0x7f }), 0); // header length ~ 9e18 bytes
        }
        Path shapes = RandomCheckpoints.write(modelsDir.resolve("corrupt-shapes"), "llama", 19);
        ObjectNode wider = RandomCheckpoints.config("llama");
        wider.put("hidden_size", 48);
        Path donor = RandomCheckpoints.write(modelsDir.resolve(".donor"), wider, 20);
        Files.copy(donor.resolve("model.safetensors"), shapes.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        FileTrees.deleteRecursively(donor);
        Path missing = RandomCheckpoints.write(modelsDir.resolve("corrupt-missing-weights"), "llama", 21);
        Files.delete(missing.resolve("model.safetensors"));
        Path arch = RandomCheckpoints.write(modelsDir.resolve("corrupt-architecture"), "llama", 22);
        Files.writeString(arch.resolve("config.json"), Files.readString(arch.resolve("config.json"))
            .replace("\"llama\"", "\"mamba\"").replace("LlamaForCausalLM", "MambaForCausalLM"));
    }

    /** The damaged checkpoints {@link #writeCorrupted} writes, plus the truncated {@code broken}. */
    static final List<String> CORRUPTED = List.of("broken", "corrupt-config", "corrupt-tokenizer", "corrupt-header", "corrupt-shapes",
        "corrupt-missing-weights", "corrupt-architecture");
}
