package org.llmretriever.trainer.collection;

import java.io.IOException;
import java.nio.file.Path;

/** A malformed line in a dataset file; the message names the file and line number. */
public final class DatasetFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    DatasetFormatException(Path file, long line, String problem) {
        this(file.toString(), line, problem);
    }

    /** For a place that is not a file of its own, such as {@code docs.tar.gz!wsj/wsj_0001}. */
    DatasetFormatException(String origin, long line, String problem) {
        super(origin + ":" + line + ": " + problem);
    }
}
