package org.llmretriever.yamlrest;

import org.llmretriever.encoder.testing.TinyModels;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The checkpoints the YAML suites use, generated before the node starts (tests never depend on ../shared):
 * <ul>
 *   <li>{@code tiny-llama}, {@code tiny-neox}: random tiny models with a generated tokenizer (32-dimensional);</li>
 *   <li>{@code broken}: a tiny model whose weights file is truncated;</li>
 *   <li>{@code escape}: a symbolic link to a valid model outside the models path (must be refused).</li>
 * </ul>
 */
final class TestModels {
    private TestModels() {}

    static void write(Path modelsDir, Path outsideDir) throws IOException {
        Files.createDirectories(modelsDir);
        TinyModels.write(modelsDir.resolve("tiny-llama"), "llama", 11);
        TinyModels.write(modelsDir.resolve("tiny-neox"), "gpt_neox", 12);
        Path broken = TinyModels.write(modelsDir.resolve("broken"), "llama", 13);
        Path weights = broken.resolve("model.safetensors");
        try (FileChannel ch = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(weights) / 2);
        }
        Path outside = TinyModels.write(outsideDir.resolve("outside-model"), "llama", 14);
        Files.createSymbolicLink(modelsDir.resolve("escape"), outside);
    }
}
