#!/usr/bin/env python3
"""Markdown tables of a tools/quality-report output directory: one row per model and method, from results.json.

    python3 tools/quality-tables.py quality-runs > quality-runs/tables.md

Rows are printed for the evaluations that exist (a stopped report gives a partial table, never invented rows).
"""
import json
import sys
from pathlib import Path

MODELS = [
    ("llm2ir", "llm2ir, `adapt` defaults"),
    ("base", "demo-base (no adaptation)"),
    ("control-layers-off", "control: demo-base, layers off"),
    ("control-random-embeddings", "control: random embeddings, layers off"),
    ("random-init-llm2ir", "control: random init + `adapt` defaults"),
    ("llara", "llara (`--objective llara`)"),
    ("llara-llm2ir", "llara, then llm2ir (`adapt` defaults from the llara model)"),
]
METHODS = ["bm25", "dense", "hybrid", "hybrid-tuned"]


def load(path):
    return json.loads(path.read_text()) if path.is_file() else None


def cell(results, method):
    m = results["methods"].get(method) if results else None
    if m is None:
        return ""
    return f"{m['ndcg@10']:.3f} / {m['recall@100']:.3f}"


def hybrid_note(results, method):
    s = results["methods"][method].get("settings") if results and method in results["methods"] else None
    return f"dense weight {s['dense_weight']:g}, k {s['rank_constant']}" if s else ""


def tuned_hybrid(out, ds, tag, results):
    """(results, method) of the hybrid with tuned weights: SciFact's eval reports it as hybrid-tuned, CACM's is a
    separate eval (-tuned) of hybrid with SciFact's weights; (None, None) when neither exists."""
    if results and "hybrid-tuned" in results["methods"]:
        return results, "hybrid-tuned"
    separate = load(out / f"{ds}-{tag}-eval-tuned" / "results.json")
    return (separate, "hybrid") if separate else (None, None)


def table(out, ds, title):
    print(f"### {title}\n")
    train = ds == "scifact"
    head = "| model | BM25 | dense | hybrid (equal weights) | hybrid, tuned on SciFact train |"
    if train:
        head += " dense, train split |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for tag, label in MODELS:
        r = load(out / f"{ds}-{tag}-eval" / "results.json")
        t = load(out / f"{ds}-{tag}-eval-train" / "results.json")
        if r is None and t is None:
            continue
        tuned, method = tuned_hybrid(out, ds, tag, r)
        tuned_cell, note = cell(tuned, method), hybrid_note(tuned, method)
        row = f"| {label} | {cell(r, 'bm25')} | {cell(r, 'dense')} | {cell(r, 'hybrid')} | {tuned_cell}{' (' + note + ')' if note else ''} |"
        if train:
            row += f" {cell(t, 'dense')} |"
        print(row)
    print("\nnDCG@10 / Recall@100.\n")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "quality-runs")
    table(out, "scifact", "SciFact test (300 queries)")
    table(out, "cacm", "CACM (52 judged topics)")
    timings = out / "timings.tsv"
    if timings.is_file():
        print("### Wall time of each step\n\n| dataset | step | seconds |\n|---|---|---|")
        for line in timings.read_text().splitlines()[1:]:
            print("| " + " | ".join(line.split("\t")) + " |")


if __name__ == "__main__":
    main()
