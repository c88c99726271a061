package org.llmretriever.encoder.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes safetensors files (single or sharded with a {@code model.safetensors.index.json}), as Hugging Face does. */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {}

    /**
     * One tensor to write.
     *
     * @param name tensor name
     * @param dtype element type of {@code data}
     * @param shape dimensions
     * @param data little-endian bytes, from position to limit
     */
    public record Tensor(String name, TensorDType dtype, long[] shape, ByteBuffer data) {
        /** Byte length of the data. */
        public long bytes() {
            return data.remaining();
        }
    }

    /** Writes one file atomically (temp file + rename). */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Tensor t : tensors) {
            long expected = 1;
            for (long d : t.shape()) {
                expected *= d;
            }
            if (expected * t.dtype().bytes() != t.bytes()) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' has " + t.bytes() + " bytes, expected " + expected * t.dtype().bytes());
            }
            ObjectNode o = header.putObject(t.name());
            o.put("dtype", t.dtype().name());
            ArrayNode shape = o.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            ArrayNode off = o.putArray("data_offsets");
            off.add(offset);
            off.add(offset + t.bytes());
            offset += t.bytes();
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // data section 8-byte aligned, padded with spaces like HF
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded);
        head.put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(ch, head);
            for (Tensor t : tensors) {
                writeFully(ch, t.data().duplicate());
            }
            ch.force(false);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes tensors into shards of at most {@code maxShardBytes} each, named
     * {@code model-0000k-of-0000n.safetensors}, plus {@code model.safetensors.index.json}; with one shard it
     * writes a plain {@code model.safetensors} instead. Returns the files written.
     */
    public static List<Path> writeSharded(Path dir, List<Tensor> tensors, long maxShardBytes) throws IOException {
        List<List<Tensor>> shards = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long size = 0;
        long total = 0;
        for (Tensor t : tensors) {
            if (!current.isEmpty() && size + t.bytes() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.bytes();
            total += t.bytes();
        }
        if (!current.isEmpty()) {
            shards.add(current);
        }
        Map<String, String> format = Map.of("format", "pt");
        List<Path> written = new ArrayList<>();
        if (shards.size() <= 1) {
            Path f = dir.resolve(Checkpoint.SINGLE_FILE);
            write(f, shards.isEmpty() ? List.of() : shards.get(0), format);
            written.add(f);
            return written;
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            write(dir.resolve(name), shards.get(i), format);
            written.add(dir.resolve(name));
            for (Tensor t : shards.get(i)) {
                weightMap.put(t.name(), name);
            }
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode wm = index.putObject("weight_map");
        weightMap.forEach(wm::put);
        Path idx = dir.resolve(Checkpoint.INDEX_FILE);
        JSON.writerWithDefaultPrettyPrinter().writeValue(idx.toFile(), index);
        written.add(idx);
        return written;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
