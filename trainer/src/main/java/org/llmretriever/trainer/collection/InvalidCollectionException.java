package org.llmretriever.trainer.collection;

import java.io.IOException;

/**
 * A collection that parses but cannot give a meaningful evaluation (or training corpus): too few documents,
 * judged queries without text, judgments of documents the collection lacks. The message names the files and
 * what was found, so the user can tell a wrong path from a misread layout.
 */
public final class InvalidCollectionException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidCollectionException(String message) {
        super(message);
    }
}
