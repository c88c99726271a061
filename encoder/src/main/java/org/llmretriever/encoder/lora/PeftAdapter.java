package org.llmretriever.encoder.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.checkpoint.TensorInfo;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.Linear;
import org.llmretriever.encoder.model.LoraAdapter;
import org.llmretriever.encoder.model.Tensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters in PEFT's on-disk layout: {@code adapter_config.json} and {@code adapter_model.safetensors} with
 * tensors named {@code base_model.model.<module>.lora_A.weight} ({@code [r, in]}) and {@code ...lora_B.weight}
 * ({@code [out, r]}), so PEFT's {@code PeftModel.from_pretrained} reads what we write and vice versa.
 */
public final class PeftAdapter {
    /** Adapter config file. */
    public static final String CONFIG_FILE = "adapter_config.json";
    /** Adapter weights file. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LoraConfig config;

    private PeftAdapter(LoraConfig config) {
        this.config = config;
    }

    /** The adapter's hyper-parameters. */
    public LoraConfig config() {
        return config;
    }

    /** Writes the model's attached adapters (float32) and config into {@code dir}. */
    public static void save(DecoderModel model, LoraConfig config, Path dir, String baseModel) throws IOException {
        Map<String, LoraAdapter> adapters = Lora.adapters(model);
        if (adapters.isEmpty()) {
            throw new IllegalStateException("the model has no LoRA adapters to save");
        }
        Files.createDirectories(dir);
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "FEATURE_EXTRACTION");
        c.put("base_model_name_or_path", baseModel);
        c.put("r", config.rank());
        c.put("lora_alpha", config.alpha());
        c.put("lora_dropout", config.dropout());
        ArrayNode targets = c.putArray("target_modules");
        config.targetModules().forEach(targets::add);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("modules_to_save");
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CONFIG_FILE).toFile(), c);
        try (NDManager keep = model.manager().newSubManager()) {
            List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
            for (Map.Entry<String, LoraAdapter> e : adapters.entrySet()) {
                tensors.add(Tensors.f32(PREFIX + e.getKey() + ".lora_A.weight", e.getValue().a(), keep));
                tensors.add(Tensors.f32(PREFIX + e.getKey() + ".lora_B.weight", e.getValue().b(), keep));
            }
            SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
        }
    }

    /** Reads an adapter directory and attaches its adapters to the model (frozen: for inference or merging). */
    public static PeftAdapter load(DecoderModel model, Path dir) {
        Path cfgFile = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(cfgFile)) {
            throw new CheckpointException("missing " + CONFIG_FILE + " in adapter directory " + dir);
        }
        JsonNode c;
        try {
            c = JSON.readTree(cfgFile.toFile());
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + cfgFile + ": " + e.getMessage(), e);
        }
        if (!"LORA".equalsIgnoreCase(c.path("peft_type").asText("LORA"))) {
            throw new CheckpointException(cfgFile + " is a " + c.path("peft_type").asText() + " adapter; only LORA is supported");
        }
        List<String> targets = new ArrayList<>();
        JsonNode t = c.path("target_modules");
        if (t.isArray()) {
            t.forEach(n -> targets.add(n.asText()));
        } else if (t.isTextual()) {
            targets.add(t.asText());
        }
        LoraConfig config = new LoraConfig(c.path("r").asInt(8), (float) c.path("lora_alpha").asDouble(8), (float) c.path("lora_dropout").asDouble(0),
            targets.isEmpty() ? List.of("q_proj") : targets);
        int attached = 0;
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(WEIGHTS_FILE))) {
            for (Linear l : model.linears().values()) {
                String a = PREFIX + l.name() + ".lora_A.weight";
                String b = PREFIX + l.name() + ".lora_B.weight";
                if (!f.tensors().containsKey(a)) {
                    continue;
                }
                NDArray aArr = read(model, f, a, new long[] { config.rank(), l.inFeatures() });
                NDArray bArr = read(model, f, b, new long[] { l.outFeatures(), config.rank() });
                l.setLora(new LoraAdapter(aArr, bArr, config.alpha(), config.dropout()));
                attached++;
            }
        }
        if (attached == 0) {
            throw new CheckpointException(dir.resolve(WEIGHTS_FILE) + " holds no LoRA tensor for any projection of this model");
        }
        return new PeftAdapter(config);
    }

    private static NDArray read(DecoderModel model, SafetensorsFile f, String name, long[] shape) {
        TensorInfo t = f.info(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new CheckpointException("LoRA tensor '" + name + "' in " + f.path() + " has shape " + Arrays.toString(t.shape())
                + " but the model needs " + Arrays.toString(shape));
        }
        float[] v = f.readFloats(name);
        NDArray a = model.manager().create(v, new Shape(shape));
        if (model.dtype() != DataType.FLOAT32) {
            NDArray c = a.toType(model.dtype(), false);
            a.close();
            return c;
        }
        return a;
    }

    /** Merges the loaded adapters into the base weights and removes them. */
    public void mergeAndRemove(DecoderModel model) {
        Lora.merge(model);
    }
}
