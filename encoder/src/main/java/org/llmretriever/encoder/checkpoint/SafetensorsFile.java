package org.llmretriever.encoder.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A safetensors file, parsed in Java: the JSON header is read and validated eagerly (names, dtypes, shapes,
 * byte ranges against the file size), tensor data is memory-mapped on demand, so loading never copies a
 * checkpoint through the Java heap. Format: u64 little-endian header length, JSON header, data section.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** Headers beyond this size are rejected as corrupt (real ones are kilobytes to a few MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates the header; fails with a {@link CheckpointException} naming the file and tensor. */
    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot open " + path + ": " + e.getMessage(), e);
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch) {
        long size;
        try {
            size = ch.size();
            if (size < 8) {
                throw new CheckpointException(path + " is truncated: " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new CheckpointException(
                    "corrupt safetensors header in " + path + ": header length " + headerLen + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (JsonProcessingException e) {
                throw new CheckpointException("corrupt safetensors header in " + path + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
            }
            if (root == null || !root.isObject()) {
                throw new CheckpointException("corrupt safetensors header in " + path + ": expected a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                TensorInfo t = tensorInfo(path, e.getKey(), e.getValue());
                if (t.end() > dataSize) {
                    throw new CheckpointException(
                        path + " is truncated: tensor '" + t.name() + "' needs data bytes up to " + t.end()
                            + " but the file holds only " + dataSize);
                }
                tensors.put(t.name(), t);
            }
            return new SafetensorsFile(path, ch, dataStart, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static TensorInfo tensorInfo(Path path, String name, JsonNode n) {
        JsonNode dtype = n.get("dtype");
        JsonNode shape = n.get("shape");
        JsonNode offsets = n.get("data_offsets");
        if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null || !offsets.isArray()
            || offsets.size() != 2) {
            throw new CheckpointException(
                "corrupt safetensors header in " + path + ": tensor '" + name + "' needs dtype, shape and data_offsets [begin, end]");
        }
        TensorDType dt = TensorDType.parse(dtype.asText(), name, path);
        long[] dims = new long[shape.size()];
        long numel = 1;
        for (int i = 0; i < dims.length; i++) {
            if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < 0) {
                throw new CheckpointException("corrupt safetensors header in " + path + ": tensor '" + name + "' has an invalid shape " + shape);
            }
            dims[i] = shape.get(i).asLong();
            numel = Math.multiplyExact(numel, dims[i]);
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new CheckpointException("corrupt safetensors header in " + path + ": tensor '" + name + "' has data_offsets " + offsets);
        }
        if (end - begin != numel * dt.bytes()) {
            throw new CheckpointException(
                "corrupt safetensors header in " + path + ": tensor '" + name + "' is " + dt + shape + " = " + numel * dt.bytes()
                    + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dt, dims, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** Tensors by name, in header order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The optional {@code __metadata__} block. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Header entry of a tensor, or a {@link CheckpointException} naming it and the file. */
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException("tensor '" + name + "' is missing from " + path);
        }
        return t;
    }

    /**
     * Maps bytes {@code [from, from + length)} of a tensor's data read-only, little-endian. Each mapping must be
     * below 2 GiB; larger tensors are read in row blocks by the caller.
     */
    public ByteBuffer map(TensorInfo t, long from, long length) {
        if (from < 0 || length < 0 || from + length > t.byteLength() || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad range [" + from + ", +" + length + ") of " + t);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin() + from, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException("cannot map tensor '" + t.name() + "' of " + path + ": " + e.getMessage(), e);
        }
    }

    /** A whole tensor as float32 values (widening F16/BF16). For small tensors and tests. */
    public float[] readFloats(String name) {
        TensorInfo t = info(name);
        if (t.numel() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(t + " is too large for a Java array");
        }
        float[] out = new float[(int) t.numel()];
        ByteBuffer b = map(t, 0, t.byteLength());
        DTypes.toFloats(b, t.dtype(), out, 0, out.length);
        return out;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing useful to do
        }
    }
}
