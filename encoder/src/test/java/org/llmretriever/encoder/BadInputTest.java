package org.llmretriever.encoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.model.RandomCheckpoints;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Every kind of bad input is a clear exception naming the file, tensor or field — never a JVM abort. */
public class BadInputTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    private static Path good;
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeClass
    public static void model() throws IOException {
        good = RandomCheckpoints.write(tmp.newFolder("good").toPath(), "llama", 1);
    }

    private static Path copy(String name) throws IOException {
        Path d = tmp.newFolder(name).toPath();
        try (var files = Files.list(good)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, d.resolve(f.getFileName()));
            }
        }
        return d;
    }

    /** A copy of the good checkpoint with its config.json edited. */
    private static Path withConfig(String name, Consumer<ObjectNode> edit) throws IOException {
        Path dir = copy(name);
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(c);
        JSON.writeValue(dir.resolve("config.json").toFile(), c);
        return dir;
    }

    /** A copy of the good checkpoint with the JSON header of its model.safetensors edited (the data stays as it was). */
    private static Path withHeader(String name, Consumer<ObjectNode> edit) throws IOException {
        Path dir = copy(name);
        Path f = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        long len = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode h = (ObjectNode) JSON.readTree(new String(all, 8, (int) len, StandardCharsets.UTF_8));
        edit.accept(h);
        byte[] json = JSON.writeValueAsBytes(h);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + all.length - 8 - (int) len).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(all, 8 + (int) len, all.length - 8 - (int) len);
        Files.write(f, out.array());
        return dir;
    }

    /** Loading {@code dir} fails with a {@link CheckpointException} whose message names every one of {@code fragments}. */
    private static void assertLoadFails(Path dir, String... fragments) {
        String m = assertThrows(CheckpointException.class, () -> EncoderModel.load(dir, EncoderOptions.defaults()).close()).getMessage();
        for (String f : fragments) {
            assertTrue("[" + f + "] not in: " + m, m.contains(f));
        }
    }

    @Test
    public void truncatedWeightsFile() throws IOException {
        Path d = copy("truncated");
        Path f = d.resolve("model.safetensors");
        long size = Files.size(f);
        try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size - 1000);
        }
        assertLoadFails(d, "truncated", "model.safetensors", "tensor '");
    }

    @Test
    public void fileShorterThanTheHeaderLength() throws IOException {
        Path d = copy("tiny-file");
        Files.write(d.resolve("model.safetensors"), new byte[] { 1, 2, 3 });
        assertLoadFails(d, "truncated", "model.safetensors");
    }

    @Test
    public void corruptHeader() throws IOException {
        Path d = copy("corrupt");
        Path f = d.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(f);
        all[9] = '#'; // break the JSON
        Files.write(f, all);
        assertLoadFails(d, "corrupt safetensors header", "model.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE).array());
        assertLoadFails(d, "corrupt safetensors header", "header length");
    }

    @Test
    public void offsetsThatDoNotMatchTheShape() throws IOException {
        assertLoadFails(withHeader("bad-offsets", h -> ((ObjectNode) h.get("model.norm.weight")).putArray("shape").add(33)),
            "'model.norm.weight'", "data_offsets span");
    }

    @Test
    public void missingTensor() throws IOException {
        assertLoadFails(withHeader("missing", h -> h.remove("model.layers.1.mlp.up_proj.weight")),
            "'model.layers.1.mlp.up_proj.weight'", "missing");
    }

    @Test
    public void wrongShape() throws IOException {
        assertLoadFails(withConfig("wrong-shape", c -> c.put("intermediate_size", 48)), "mlp.gate_proj.weight", "has shape [64, 32]", "[48, 32]");
    }

    @Test
    public void unknownModelType() throws IOException {
        assertLoadFails(withConfig("unknown-type", c -> c.put("model_type", "bert")), "model_type 'bert'", "not supported", "gpt_neox");
    }

    @Test
    public void missingConfigField() throws IOException {
        assertLoadFails(withConfig("missing-field", c -> c.remove("hidden_size")), "'hidden_size'", "config.json");
    }

    @Test
    public void unknownDtype() throws IOException {
        assertLoadFails(withHeader("unknown-dtype", h -> ((ObjectNode) h.get("model.norm.weight")).put("dtype", "F8_E4M3")),
            "unsupported dtype 'F8_E4M3'", "'model.norm.weight'");
    }

    @Test
    public void missingTokenizerAndMissingWeights() throws IOException {
        Path d = copy("no-tokenizer");
        Files.delete(d.resolve("tokenizer.json"));
        assertLoadFails(d, "missing tokenizer.json");
        Path w = copy("no-weights");
        Files.delete(w.resolve("model.safetensors"));
        assertLoadFails(w, "no weights");
        assertLoadFails(tmp.getRoot().toPath().resolve("nope"), "does not exist");
    }

    @Test
    public void emptyTextAndOverlongTextUnderFail() {
        try (EncoderModel m = EncoderModel.load(good, EncoderOptions.defaults().withMaxTokens(16)
            .withTruncation(EncoderOptions.Truncation.FAIL))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.embed(List.of("fine", "  "), Kind.PASSAGE));
            assertTrue(e.getMessage(), e.getMessage().contains("text #1 is empty"));
            e = assertThrows(IllegalArgumentException.class, () -> m.embed(List.of("ok", RandomCheckpoints.SAMPLE_TEXT), Kind.PASSAGE));
            assertTrue(e.getMessage(), e.getMessage().contains("text #1 has") && e.getMessage().contains("max_tokens=16"));
        }
    }

    @Test
    public void safetensorsReaderListsTensors() {
        try (SafetensorsFile f = SafetensorsFile.open(good.resolve("model.safetensors"))) {
            assertEquals(32, f.info("model.norm.weight").numel());
            assertEquals(32, f.readFloats("model.norm.weight").length);
            assertTrue(assertThrows(CheckpointException.class, () -> f.info("nope")).getMessage().contains("'nope' is missing"));
        }
    }
}
