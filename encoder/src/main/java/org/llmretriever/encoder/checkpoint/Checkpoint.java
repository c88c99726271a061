package org.llmretriever.encoder.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face model directory opened for reading: {@code config.json}, weights as {@code model.safetensors} or
 * shards listed in {@code model.safetensors.index.json}, and the tokenizer files. Opening validates the config
 * and every safetensors header (not the tensor data), so problems surface before any weight is loaded.
 */
public final class Checkpoint implements AutoCloseable {
    /** Single-file weights. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** Index of sharded weights. */
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** Hugging Face fast-tokenizer file. */
    public static final String TOKENIZER_FILE = "tokenizer.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final ModelConfig config;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOfTensor;

    private Checkpoint(Path dir, ModelConfig config, List<SafetensorsFile> files, Map<String, SafetensorsFile> fileOfTensor) {
        this.dir = dir;
        this.config = config;
        this.files = files;
        this.fileOfTensor = fileOfTensor;
    }

    /** Opens a model directory; every failure is a {@link CheckpointException} naming the file at fault. */
    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointException("model directory " + dir + " does not exist");
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        List<SafetensorsFile> files = new ArrayList<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            Path single = dir.resolve(SINGLE_FILE);
            Path index = dir.resolve(INDEX_FILE);
            if (Files.isRegularFile(index)) {
                Map<String, String> weightMap = readIndex(index);
                Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
                for (String shard : new java.util.LinkedHashSet<>(weightMap.values())) {
                    Path p = dir.resolve(shard).normalize();
                    if (!p.startsWith(dir.normalize()) || !Files.isRegularFile(p)) {
                        throw new CheckpointException("shard '" + shard + "' listed in " + index + " is missing");
                    }
                    SafetensorsFile f = SafetensorsFile.open(p);
                    files.add(f);
                    opened.put(shard, f);
                }
                for (Map.Entry<String, String> e : weightMap.entrySet()) {
                    SafetensorsFile f = opened.get(e.getValue());
                    if (!f.tensors().containsKey(e.getKey())) {
                        throw new CheckpointException(
                            "tensor '" + e.getKey() + "' is listed in " + index + " but missing from " + f.path());
                    }
                    byTensor.put(e.getKey(), f);
                }
            } else if (Files.isRegularFile(single)) {
                SafetensorsFile f = SafetensorsFile.open(single);
                files.add(f);
                f.tensors().keySet().forEach(n -> byTensor.put(n, f));
            } else if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
                throw new CheckpointException(
                    dir + " has only pytorch_model.bin; llm-retriever reads safetensors (convert with save_pretrained(safe_serialization=True))");
            } else {
                throw new CheckpointException("no weights in " + dir + ": expected " + SINGLE_FILE + " or " + INDEX_FILE);
            }
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
        return new Checkpoint(dir, config, files, Collections.unmodifiableMap(byTensor));
    }

    private static Map<String, String> readIndex(Path index) {
        try {
            JsonNode root = JSON.readTree(index.toFile());
            JsonNode wm = root == null ? null : root.get("weight_map");
            if (wm == null || !wm.isObject()) {
                throw new CheckpointException(index + " has no weight_map object");
            }
            Map<String, String> out = new LinkedHashMap<>();
            wm.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
            return out;
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + index + ": " + e.getMessage(), e);
        }
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** Parsed config.json. */
    public ModelConfig config() {
        return config;
    }

    /** All tensor headers by name. */
    public Map<String, TensorInfo> tensors() {
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        fileOfTensor.forEach((n, f) -> m.put(n, f.tensors().get(n)));
        return m;
    }

    /** Whether the checkpoint has a tensor. */
    public boolean has(String name) {
        return fileOfTensor.containsKey(name);
    }

    /** Header of a tensor; missing → exception naming tensor and directory. */
    public TensorInfo info(String name) {
        SafetensorsFile f = fileOfTensor.get(name);
        if (f == null) {
            throw new CheckpointException("tensor '" + name + "' is missing from the checkpoint in " + dir);
        }
        return f.info(name);
    }

    /** The file holding a tensor. */
    public SafetensorsFile file(String name) {
        info(name);
        return fileOfTensor.get(name);
    }

    /** Total number of parameters stored. */
    public long parameterCount() {
        return tensors().values().stream().mapToLong(TensorInfo::numel).sum();
    }

    /** {@code tokenizer.json}, if present. */
    public Optional<Path> tokenizerFile() {
        Path p = dir.resolve(TOKENIZER_FILE);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** A small optional JSON side file such as {@code tokenizer_config.json} or {@code generation_config.json}. */
    public Optional<JsonNode> sideFile(String name) {
        Path p = dir.resolve(name);
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(JSON.readTree(p.toFile()));
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
