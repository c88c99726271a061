package org.llmretriever.encoder.lora;

import java.util.List;

/**
 * LoRA hyper-parameters, as PEFT's {@code LoraConfig} names them.
 *
 * @param rank r
 * @param alpha lora_alpha (update scaled by alpha / r)
 * @param dropout lora_dropout on the adapter's input while training
 * @param targetModules module names (last path component) to adapt, e.g. {@code q_proj}
 */
public record LoraConfig(int rank, float alpha, float dropout, List<String> targetModules) {
    /** Validates. */
    public LoraConfig {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
        }
        if (alpha <= 0) {
            throw new IllegalArgumentException("LoRA alpha must be positive, got " + alpha);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("LoRA dropout must be in [0, 1), got " + dropout);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("LoRA needs at least one target module");
        }
        targetModules = List.copyOf(targetModules);
    }

    /** Whether a module path (e.g. {@code model.layers.3.self_attn.q_proj}) is targeted. */
    public boolean targets(String modulePath) {
        String last = modulePath.substring(modulePath.lastIndexOf('.') + 1);
        return targetModules.contains(last) || targetModules.contains(modulePath);
    }
}
