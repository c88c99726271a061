package org.llmretriever.trainer.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.Tensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training checkpoints in {@code <out>/checkpoints/latest}: trained arrays and optimizer moments as float32
 * safetensors (exact), the extended tokenizer if any, and {@code state.json} (phase, next step, optimizer steps).
 * Written to a temporary directory and renamed, so a crash never leaves a half-written checkpoint.
 */
public final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {}

    /** Saved state. */
    public record State(int phase, int step, long adamSteps, float lossScale, int vocabSize, Map<String, float[]> params,
                        Map<String, float[]> moments, String tokenizerJson) {}

    /** The checkpoint directory of an output directory. */
    public static Path latest(Path out) {
        return out.resolve("checkpoints").resolve("latest");
    }

    /** Writes a checkpoint. */
    public static void save(Path out, TrainConfig cfg, int phase, int step, AdamW adam, float lossScale, int vocabSize,
                            List<TrainableParam> params, String tokenizerJson, NDManager manager) throws IOException {
        Path dir = latest(out);
        Path tmp = out.resolve("checkpoints").resolve("tmp-" + ProcessHandle.current().pid());
        FileTrees.deleteRecursively(tmp);
        Files.createDirectories(tmp);
        try (NDManager keep = manager.newSubManager()) {
            List<SafetensorsWriter.Tensor> ps = new ArrayList<>();
            for (TrainableParam p : params) {
                ps.add(Tensors.f32(p.name(), p.array(), keep));
            }
            SafetensorsWriter.write(tmp.resolve("params.safetensors"), ps, Map.of());
            List<SafetensorsWriter.Tensor> ms = new ArrayList<>();
            adam.moments().forEach((k, a) -> ms.add(Tensors.f32(k, a, keep)));
            SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), ms, Map.of());
        }
        if (tokenizerJson != null) {
            Files.writeString(tmp.resolve("tokenizer.json"), tokenizerJson);
        }
        ObjectNode s = JSON.createObjectNode();
        s.put("phase", phase);
        s.put("step", step);
        s.put("adam_steps", adam.steps());
        s.put("loss_scale", lossScale);
        s.put("vocab_size", vocabSize);
        s.put("objectives", String.join(",", cfg.objectives));
        s.put("lora_rank", cfg.loraRank);
        s.put("seed", cfg.seed);
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve("state.json").toFile(), s);
        FileTrees.deleteRecursively(dir);
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads the checkpoint of {@code out}, checking it belongs to the same kind of run. */
    public static State load(Path out, TrainConfig cfg) throws IOException {
        Path dir = latest(out);
        if (!Files.isRegularFile(dir.resolve("state.json"))) {
            throw new IOException("--resume: no checkpoint in " + dir);
        }
        ObjectNode s = (ObjectNode) JSON.readTree(dir.resolve("state.json").toFile());
        if (!s.path("objectives").asText().equals(String.join(",", cfg.objectives)) || s.path("lora_rank").asInt() != cfg.loraRank
            || s.path("seed").asLong() != cfg.seed) {
            throw new IOException("--resume: the checkpoint in " + dir + " was made with objectives=" + s.path("objectives").asText()
                + ", lora_rank=" + s.path("lora_rank").asInt() + ", seed=" + s.path("seed").asLong() + "; this run asks for objectives="
                + String.join(",", cfg.objectives) + ", lora_rank=" + cfg.loraRank + ", seed=" + cfg.seed);
        }
        Map<String, float[]> params = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("params.safetensors"))) {
            for (String n : f.tensors().keySet()) {
                params.put(n, f.readFloats(n));
            }
        }
        Map<String, float[]> moments = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("optimizer.safetensors"))) {
            for (String n : f.tensors().keySet()) {
                moments.put(n, f.readFloats(n));
            }
        }
        Path tok = dir.resolve("tokenizer.json");
        return new State(s.path("phase").asInt(), s.path("step").asInt(), s.path("adam_steps").asLong(), (float) s.path("loss_scale").asDouble(1),
            s.path("vocab_size").asInt(), params, moments, Files.isRegularFile(tok) ? Files.readString(tok) : null);
    }
}
