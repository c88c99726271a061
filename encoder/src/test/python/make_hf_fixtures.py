#!/usr/bin/env python3
"""Hugging Face parity fixtures for the Java encoder.

Builds a tiny random model of every supported family with transformers, saves it with save_pretrained
(safetensors), runs a fixed padded batch of input ids through it in float32 and writes the reference
last hidden states and logits. HfParityTest (Java) loads the same checkpoints and must agree within 1e-4.

    pip install torch transformers safetensors
    python encoder/src/test/python/make_hf_fixtures.py encoder/src/test/resources/hf-fixtures

Output per family: <out>/<family>/{config.json, model.safetensors, inputs.json, reference.safetensors}.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import (AutoModelForCausalLM, GPTNeoXConfig, LlamaConfig, MistralConfig, Qwen2Config,
                          Qwen3Config)

VOCAB = 384
COMMON = dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
              max_position_embeddings=256, bos_token_id=1, eos_token_id=2, pad_token_id=3,
              initializer_range=0.2)
LLAMA_LIKE = dict(COMMON, num_key_value_heads=2, intermediate_size=64, rms_norm_eps=1e-6, rope_theta=10000.0,
                  hidden_act="silu")

FAMILIES = {
    "llama": LlamaConfig(**LLAMA_LIKE, tie_word_embeddings=False),
    "llama-tied": LlamaConfig(**LLAMA_LIKE, tie_word_embeddings=True),
    "llama3-rope": LlamaConfig(**LLAMA_LIKE, tie_word_embeddings=False,
                               rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                             "high_freq_factor": 4.0, "original_max_position_embeddings": 16}),
    # consistent YaRN: max_position_embeddings = factor x original (transformers releases disagree on which wins otherwise)
    "llama-yarn": LlamaConfig(**{**LLAMA_LIKE, "max_position_embeddings": 64}, tie_word_embeddings=False,
                              rope_scaling={"rope_type": "yarn", "factor": 4.0,
                                            "original_max_position_embeddings": 16}),
    "qwen3-attention-bias": Qwen3Config(**LLAMA_LIKE, head_dim=16, attention_bias=True, tie_word_embeddings=False),
    "mistral": MistralConfig(**LLAMA_LIKE, sliding_window=6, tie_word_embeddings=False),
    "qwen2": Qwen2Config(**LLAMA_LIKE, tie_word_embeddings=False),
    "qwen3": Qwen3Config(**LLAMA_LIKE, head_dim=16, attention_bias=False, tie_word_embeddings=False),
    "gpt_neox": GPTNeoXConfig(**COMMON, intermediate_size=128, rotary_pct=0.25, rotary_emb_base=10000,
                              layer_norm_eps=1e-5, hidden_act="gelu", use_parallel_residual=True,
                              tie_word_embeddings=False),
    "gpt_neox-sequential": GPTNeoXConfig(**COMMON, intermediate_size=128, rotary_pct=0.25, rotary_emb_base=10000,
                                         layer_norm_eps=1e-5, hidden_act="gelu", use_parallel_residual=False,
                                         tie_word_embeddings=False),
}

# Left-padded batch (pad id 3): lengths 12, 7, 20.
IDS = [
    [3] * 8 + [1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 2],
    [3] * 13 + [1, 100, 200, 300, 50, 60, 2],
    [1] + list(range(260, 278)) + [2],
]


def main(out_dir):
    torch.manual_seed(0)
    ids = torch.tensor(IDS, dtype=torch.long)
    mask = (ids != 3).long()
    mask[2, :] = 1  # the full-length row has no padding
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    for name, config in FAMILIES.items():
        config._attn_implementation = "eager"
        torch.manual_seed(1234)
        model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32).eval()
        target = os.path.join(out_dir, name)
        model.save_pretrained(target, safe_serialization=True)
        with torch.no_grad():
            out = model(input_ids=ids, attention_mask=mask, position_ids=positions, output_hidden_states=True)
        hidden = out.hidden_states[-1].contiguous()  # after the final norm
        save_file({"last_hidden_state": hidden, "logits": out.logits.contiguous()},
                  os.path.join(target, "reference.safetensors"))
        with open(os.path.join(target, "inputs.json"), "w") as f:
            json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
                       "position_ids": positions.tolist()}, f)
        print(name, tuple(hidden.shape), tuple(out.logits.shape))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "encoder/src/test/resources/hf-fixtures")
