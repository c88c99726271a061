#!/usr/bin/env bash
# Written by the llm-retriever harness: runs one OpenSearch node as a child process and ends it when the
# harness JVM (LLMR_WATCH_PID) is gone, even if that JVM was killed without running shutdown hooks.
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM INT HUP
while kill -0 "$child" 2>/dev/null; do
  if [ -n "${LLMR_WATCH_PID:-}" ] && [ ! -d "/proc/$LLMR_WATCH_PID" ]; then
    kill -TERM "$child" 2>/dev/null
    wait "$child"
    exit 0
  fi
  sleep 1
done
wait "$child"
