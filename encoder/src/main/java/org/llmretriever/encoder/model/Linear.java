package org.llmretriever.encoder.model;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x W^T + b} with weight {@code [out, in]} (Hugging Face layout), plus an optional LoRA update
 * {@code (dropout(x) A^T B^T) * alpha / r}. The name is the Hugging Face module path, e.g.
 * {@code model.layers.0.self_attn.q_proj}.
 */
public final class Linear {
    private final String name;
    private NDArray weight;
    private final NDArray bias;
    private LoraAdapter lora;

    Linear(String name, NDArray weight, NDArray bias) {
        this.name = name;
        this.weight = weight;
        this.bias = bias;
    }

    /** Module path. */
    public String name() {
        return name;
    }

    /** {@code [out, in]}. */
    public NDArray weight() {
        return weight;
    }

    /** {@code [out]} or null. */
    public NDArray bias() {
        return bias;
    }

    /** Output features. */
    public long outFeatures() {
        return weight.getShape().get(0);
    }

    /** Input features. */
    public long inFeatures() {
        return weight.getShape().get(1);
    }

    /** The attached LoRA adapter, or null. */
    public LoraAdapter lora() {
        return lora;
    }

    /** Attaches (or with null, removes) a LoRA adapter. */
    public void setLora(LoraAdapter adapter) {
        if (adapter != null && (adapter.in() != inFeatures() || adapter.out() != outFeatures())) {
            throw new IllegalArgumentException(
                "LoRA for " + name + " is " + adapter.out() + "x" + adapter.in() + " but the layer is " + outFeatures() + "x" + inFeatures());
        }
        this.lora = adapter;
    }

    /** Folds the LoRA adapter into the weight ({@code W += B A * alpha / r}) and removes it. */
    public void mergeLora() {
        if (lora == null) {
            return;
        }
        LoraAdapter a = lora;
        try (NDArray delta = a.deltaWeight(); NDArray d = delta.toType(weight.getDataType(), false); NDArray sum = weight.add(d)) {
            NDArray merged = sum.stopGradient(); // a plain weight again, no autograd history
            merged.attach(weight.getManager());
            lora = null;
            replaceWeight(merged);
        }
        a.a().close();
        a.b().close();
    }

    /** Replaces the weight (merging LoRA, resizing vocabularies); the old one is closed. */
    void replaceWeight(NDArray w) {
        NDArray old = weight;
        weight = w;
        if (old != w) {
            old.close();
        }
    }

    /** {@code x [..., in]} to {@code [..., out]}; results live in x's manager. */
    public NDArray forward(NDArray x) {
        NDArray y = x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        if (lora != null) {
            NDArray delta = lora.delta(x);
            NDArray sum = y.add(delta);
            y.close();
            delta.close();
            y = sum;
        }
        return y;
    }
}
