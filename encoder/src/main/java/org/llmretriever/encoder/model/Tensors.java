package org.llmretriever.encoder.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.checkpoint.TensorDType;

import java.nio.ByteOrder;

/** Turning DJL arrays into safetensors entries. */
public final class Tensors {
    private Tensors() {}

    /**
     * A float32 CPU copy of {@code a} attached to {@code keep} (which must outlive the write) and the safetensors
     * entry viewing its memory.
     */
    public static SafetensorsWriter.Tensor f32(String name, NDArray a, NDManager keep) {
        NDArray c = a.toDevice(Device.cpu(), true);
        NDArray f = c.toType(DataType.FLOAT32, true);
        c.close();
        NDArray detached = f.stopGradient();
        f.close();
        detached.attach(keep);
        return new SafetensorsWriter.Tensor(name, TensorDType.F32, detached.getShape().getShape(),
            detached.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN));
    }
}
