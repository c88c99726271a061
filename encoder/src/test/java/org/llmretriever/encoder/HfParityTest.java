package org.llmretriever.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.Assume;
import org.junit.Test;
import org.llmretriever.encoder.checkpoint.Checkpoint;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.model.Architectures;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.DecoderModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.Assert.assertTrue;

/**
 * Hugging Face parity: checkpoints written by transformers' save_pretrained and their reference outputs (made by
 * {@code encoder/src/test/python/make_hf_fixtures.py}) must be reproduced within 1e-4 in float32, at every real
 * (non-padding) position, for hidden states and logits.
 */
public class HfParityTest {
    static final Path FIXTURES = Path.of("src/test/resources/hf-fixtures");

    @Test
    public void everyFamilyMatchesTransformers() throws Exception {
        Assume.assumeTrue("skipped: no Hugging Face fixtures in " + FIXTURES.toAbsolutePath()
                + "; generate them with encoder/src/test/python/make_hf_fixtures.py on a machine with torch + transformers",
            Files.isDirectory(FIXTURES));
        List<Path> families = new ArrayList<>();
        try (Stream<Path> s = Files.list(FIXTURES)) {
            s.filter(Files::isDirectory).sorted().forEach(families::add);
        }
        assertTrue("no fixture families in " + FIXTURES, !families.isEmpty());
        ObjectMapper json = new ObjectMapper();
        for (Path dir : families) {
            JsonNode in = json.readTree(dir.resolve("inputs.json").toFile());
            int b = in.get("input_ids").size();
            int t = in.get("input_ids").get(0).size();
            long[] ids = new long[b * t];
            long[] pos = new long[b * t];
            boolean[] valid = new boolean[b * t];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < t; j++) {
                    ids[i * t + j] = in.get("input_ids").get(i).get(j).asLong();
                    pos[i * t + j] = in.get("position_ids").get(i).get(j).asLong();
                    valid[i * t + j] = in.get("attention_mask").get(i).get(j).asInt() == 1;
                }
            }
            try (Checkpoint ckpt = Checkpoint.open(dir); DecoderModel model = Architectures.load(ckpt, Device.cpu(), DataType.FLOAT32);
                 SafetensorsFile ref = SafetensorsFile.open(dir.resolve("reference.safetensors"));
                 NDManager m = model.manager().newSubManager()) {
                Shape shape = new Shape(b, t);
                NDArray validArr = m.create(valid, shape);
                NDArray hidden = model.forward(m.create(ids, shape), m.create(pos, shape), AttentionMask.causal(validArr));
                NDArray logits = model.logits(hidden);
                compare(dir.getFileName() + " hidden", hidden.toFloatArray(), ref.readFloats("last_hidden_state"), valid,
                    (int) hidden.getShape().get(2));
                compare(dir.getFileName() + " logits", logits.toFloatArray(), ref.readFloats("logits"), valid,
                    (int) logits.getShape().get(2));
            }
        }
    }

    private static void compare(String what, float[] ours, float[] theirs, boolean[] valid, int width) {
        float max = 0;
        for (int p = 0; p < valid.length; p++) {
            if (!valid[p]) {
                continue;
            }
            for (int k = 0; k < width; k++) {
                max = Math.max(max, Math.abs(ours[p * width + k] - theirs[p * width + k]));
            }
        }
        assertTrue(what + ": max |delta| = " + max, max <= 1e-4);
    }
}
