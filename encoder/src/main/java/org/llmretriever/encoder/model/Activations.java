package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import org.llmretriever.encoder.runtime.Scalars;

/** The activation functions transformers names in {@code hidden_act}. */
final class Activations {
    private Activations() {}

    static boolean supported(String name) {
        return switch (name) {
            case "silu", "swish", "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu" -> true;
            default -> false;
        };
    }

    static NDArray apply(String name, NDArray x) {
        return switch (name) {
            case "silu", "swish" -> x.mul(Activation.sigmoid(x));
            case "gelu" -> Activation.gelu(x); // exact (erf) GELU
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> geluTanh(x);
            case "relu" -> Activation.relu(x);
            default -> throw new IllegalArgumentException("unsupported hidden_act '" + name + "'");
        };
    }

    /** 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    private static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.mul(x.add(Scalars.mul(Scalars.pow(x, 3), 0.044715f)), (float) Math.sqrt(2.0 / Math.PI));
        return Scalars.mul(x.mul(Scalars.add(inner.tanh(), 1f)), 0.5f);
    }
}
