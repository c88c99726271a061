package org.llmretriever.encoder.checkpoint;

/**
 * A checkpoint (config, weights, tokenizer) cannot be used. The message always names the file and, where it
 * applies, the tensor or config field at fault.
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With a message naming file/tensor/field. */
    public CheckpointException(String message) {
        super(message);
    }

    /** With a cause. */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
