package org.llmretriever.plugin.inference;

import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;

import java.io.IOException;

/**
 * Vectors for a list of texts, in order. A text that could not be embedded (empty, or too long under
 * {@code on_truncation: fail}) has a null vector and an error message; the others are unaffected.
 */
public final class EmbedResult implements Writeable {
    private final float[][] vectors;
    private final String[] errors;
    private final boolean[] truncated;
    private final int dimension;
    private final String node;

    public EmbedResult(float[][] vectors, String[] errors, boolean[] truncated, int dimension, String node) {
        this.vectors = vectors;
        this.errors = errors;
        this.truncated = truncated;
        this.dimension = dimension;
        this.node = node;
    }

    public EmbedResult(StreamInput in) throws IOException {
        int n = in.readVInt();
        this.vectors = new float[n][];
        this.errors = new String[n];
        this.truncated = new boolean[n];
        for (int i = 0; i < n; i++) {
            vectors[i] = in.readBoolean() ? in.readFloatArray() : null;
            errors[i] = in.readOptionalString();
            truncated[i] = in.readBoolean();
        }
        this.dimension = in.readVInt();
        this.node = in.readString();
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeVInt(vectors.length);
        for (int i = 0; i < vectors.length; i++) {
            out.writeBoolean(vectors[i] != null);
            if (vectors[i] != null) {
                out.writeFloatArray(vectors[i]);
            }
            out.writeOptionalString(errors[i]);
            out.writeBoolean(truncated[i]);
        }
        out.writeVInt(dimension);
        out.writeString(node);
    }

    /** Vector of text i, or null if it failed. */
    public float[] vector(int i) {
        return vectors[i];
    }

    /** Error of text i, or null. */
    public String error(int i) {
        return errors[i];
    }

    /** Whether text i was truncated. */
    public boolean truncated(int i) {
        return truncated[i];
    }

    /** Number of texts. */
    public int size() {
        return vectors.length;
    }

    /** Vector dimension. */
    public int dimension() {
        return dimension;
    }

    /** Name of the node that computed the vectors. */
    public String node() {
        return node;
    }
}
