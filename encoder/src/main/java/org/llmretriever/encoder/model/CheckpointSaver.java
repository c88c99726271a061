package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.tokenize.TextTokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a model back in Hugging Face layout — {@code config.json}, {@code tokenizer.json} (with any added
 * tokens), the tokenizer/generation side files, and float32 safetensors (sharded above a size) — so the encoder,
 * the plugin and transformers' {@code from_pretrained} can load it. Attached LoRA adapters are merged into the
 * written weights without changing the model in memory.
 */
public final class CheckpointSaver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SIDE_FILES = List.of("tokenizer_config.json", "generation_config.json", "special_tokens_map.json");

    private CheckpointSaver() {}

    /** Saves into {@code out} (created), copying side files from {@code sourceDir} when given. */
    public static List<Path> save(DecoderModel model, TextTokenizer tokenizer, Path sourceDir, Path out, long maxShardBytes) throws IOException {
        Files.createDirectories(out);
        ObjectNode config = model.config().json();
        config.put("vocab_size", model.vocabSize());
        config.put("torch_dtype", "float32"); // transformers 4.x's name
        if (config.has("dtype")) {
            config.put("dtype", "float32"); // v5's name: keep both saying what the safetensors hold
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("config.json").toFile(), config);
        tokenizer.save(out);
        if (sourceDir != null) {
            for (String f : SIDE_FILES) {
                Path src = sourceDir.resolve(f);
                if (Files.isRegularFile(src) && !src.toAbsolutePath().equals(out.resolve(f).toAbsolutePath())) {
                    Files.copy(src, out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (NDManager keep = model.manager().newSubManager()) {
            List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
            Map<String, Linear> linears = model.linears();
            for (Map.Entry<String, NDArray> e : model.stateDict().entrySet()) {
                NDArray value = e.getValue();
                String name = e.getKey();
                if (name.endsWith(".weight")) {
                    Linear l = linears.get(name.substring(0, name.length() - ".weight".length()));
                    if (l != null && l.lora() != null) {
                        NDArray delta = l.lora().deltaWeight();
                        delta.attach(keep);
                        NDArray d = delta.toType(value.getDataType(), false);
                        d.attach(keep);
                        value = value.add(d);
                        value.attach(keep);
                    }
                }
                tensors.add(Tensors.f32(name, value, keep));
            }
            return SafetensorsWriter.writeSharded(out, tensors, maxShardBytes);
        }
    }
}
