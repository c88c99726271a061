package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.llmretriever.encoder.checkpoint.Checkpoint;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.DTypes;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.checkpoint.TensorDType;
import org.llmretriever.encoder.checkpoint.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Moves tensors from memory-mapped safetensors into DJL arrays of the compute dtype. BF16 is widened in Java
 * first (DJL 0.32's PyTorch JNI aborts the JVM on BF16); tensors above {@link #CHUNK_BYTES} are read in row
 * blocks, so no mapping or staging buffer exceeds that size and nothing passes through the Java heap.
 */
final class WeightLoader {
    static final long CHUNK_BYTES = 128L << 20;

    private final Checkpoint checkpoint;
    private final NDManager manager;
    private final DataType target;
    /** Reused for BF16 widening (at most 2 × CHUNK_BYTES), so loading a big model allocates it once. */
    private ByteBuffer staging;

    WeightLoader(Checkpoint checkpoint, NDManager manager, DataType target) {
        this.checkpoint = checkpoint;
        this.manager = manager;
        this.target = target;
    }

    DataType target() {
        return target;
    }

    /** Loads a tensor, checking it has the shape the config implies. */
    NDArray load(String name, long[] expectedShape) {
        TensorInfo t = checkpoint.info(name);
        if (!Arrays.equals(t.shape(), expectedShape)) {
            throw new CheckpointException(
                "tensor '" + name + "' in " + checkpoint.file(name).path() + " has shape " + Arrays.toString(t.shape())
                    + " but config.json implies " + Arrays.toString(expectedShape));
        }
        SafetensorsFile f = checkpoint.file(name);
        long[] shape = t.shape();
        if (t.byteLength() <= CHUNK_BYTES || shape.length == 0 || shape[0] <= 1) {
            return toArray(f.map(t, 0, t.byteLength()), t.dtype(), new Shape(shape));
        }
        long rowElems = t.numel() / shape[0];
        long rowBytes = rowElems * t.dtype().bytes();
        long rowsPerChunk = Math.max(1, CHUNK_BYTES / rowBytes);
        List<NDArray> parts = new ArrayList<>();
        try {
            for (long r = 0; r < shape[0]; r += rowsPerChunk) {
                long rows = Math.min(rowsPerChunk, shape[0] - r);
                long[] partShape = shape.clone();
                partShape[0] = rows;
                parts.add(toArray(f.map(t, r * rowBytes, rows * rowBytes), t.dtype(), new Shape(partShape)));
            }
            return NDArrays.concat(new NDList(parts), 0);
        } finally {
            parts.forEach(NDArray::close);
        }
    }

    private NDArray toArray(ByteBuffer data, TensorDType dtype, Shape shape) {
        ByteBuffer src = data;
        DataType srcType;
        switch (dtype) {
            case F32 -> srcType = DataType.FLOAT32;
            case F16 -> srcType = DataType.FLOAT16;
            case BF16 -> {
                // Widen in Java; DJL never sees BF16.
                int bytes = Math.toIntExact(shape.size() * 4);
                if (staging == null || staging.capacity() < bytes) {
                    staging = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
                }
                ByteBuffer wide = staging.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                wide.clear().limit(bytes);
                DTypes.bf16ToF32(data, wide, shape.size());
                src = wide;
                srcType = DataType.FLOAT32;
            }
            default -> throw new IllegalStateException(dtype.toString());
        }
        // On CPU this array aliases the mapped/staging buffer; copy into memory libtorch owns, then drop the alias.
        try (NDArray alias = manager.create(src, shape, srcType)) {
            return srcType == target ? alias.duplicate() : alias.toType(target, true);
        }
    }
}
