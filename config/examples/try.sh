#!/usr/bin/env bash
# Registers the example model, creates the pipeline and index, indexes three documents and runs both queries.
#   config/examples/try.sh [http://localhost:9200]
# Needs ./models/Qwen2.5-0.5B on the nodes (./llm-retriever pull Qwen/Qwen2.5-0.5B --to models).
set -euo pipefail
url="${1:-http://localhost:9200}"
here="$(cd "$(dirname "$0")" && pwd)"
json=(-H 'Content-Type: application/json')
run() { echo "+ $1 $2" >&2; curl -fsS -X "$1" "$url$2" "${json[@]}" ${3:+--data-binary "@$here/$3"}; echo; }
run PUT /_plugins/_llm_retriever/models/qwen model.json
run PUT /_ingest/pipeline/qwen-embed pipeline.json
run PUT /articles index.json
curl -fsS -X POST "$url/articles/_bulk?refresh=true" -H 'Content-Type: application/x-ndjson' --data-binary "@$here/documents.ndjson" >/dev/null
run POST /articles/_search?pretty query-knn.json
run POST /articles/_search?pretty query-hybrid.json
