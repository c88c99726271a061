package org.llmretriever.trainer.corpus;

/**
 * One document of a training corpus.
 *
 * @param id its id in the source (index document id or JSONL id)
 * @param text the configured fields joined by newlines
 */
public record Document(String id, String text) {}
