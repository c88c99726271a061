package org.llmretriever.encoder.embed;

import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.checkpoint.TensorDType;
import org.llmretriever.encoder.checkpoint.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One weight per vocabulary id for {@code weighted_mean} pooling, kept beside the checkpoint as
 * {@code token_weights.safetensors} (one float32 tensor {@code token_weights [vocab]}). {@code adapt} writes the
 * smoothed inverse document frequency of each token over the adapted index's own documents, so a text's vector
 * leans on the tokens that tell its documents apart, as TF-IDF does (on SciFact, TF-IDF cosine scores nDCG@10 0.633
 * and raw term frequency 0.304). Ids past the end (tokens added after the weights were made) weigh 1.
 */
public final class TokenWeights {
    /** File name in a model directory. */
    public static final String FILE = "token_weights.safetensors";
    /** Tensor name in {@link #FILE}. */
    public static final String TENSOR = "token_weights";

    private final float[] weights;

    /** @param weights one finite, non-negative weight per token id */
    public TokenWeights(float[] weights) {
        if (weights.length == 0) {
            throw new IllegalArgumentException("token weights are empty");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i]) || weights[i] < 0) {
                throw new IllegalArgumentException("token weight of id " + i + " is " + weights[i] + "; weights must be finite and >= 0");
            }
        }
        this.weights = weights.clone();
    }

    /**
     * Smoothed inverse document frequency {@code ln((1 + N) / (1 + df)) + 1} of each id over {@code documents}
     * (token ids); ids that occur in no document — special tokens among them — weigh 1, as the commonest tokens do.
     */
    public static TokenWeights inverseDocumentFrequency(List<long[]> documents, int vocabSize) {
        return inverseDocumentFrequency(documentFrequencies(documents, vocabSize), documents.size());
    }

    /** As {@link #inverseDocumentFrequency(List, int)}, from each id's document frequency {@code df} among {@code n} documents. */
    public static TokenWeights inverseDocumentFrequency(int[] df, int n) {
        float[] w = new float[df.length];
        for (int t = 0; t < df.length; t++) {
            w[t] = df[t] == 0 ? 1f : smoothedIdf(n, df[t]);
        }
        return new TokenWeights(w);
    }

    /** In how many of {@code documents} (token ids) each id of {@code [0, vocabSize)} occurs. */
    public static int[] documentFrequencies(List<long[]> documents, int vocabSize) {
        int[] df = new int[vocabSize];
        int[] lastSeenIn = new int[vocabSize];
        java.util.Arrays.fill(lastSeenIn, -1);
        for (int d = 0; d < documents.size(); d++) {
            for (long t : documents.get(d)) {
                if (t < 0 || t >= vocabSize) {
                    throw new IllegalArgumentException("token id " + t + " of document #" + d + " is outside the vocabulary of " + vocabSize);
                }
                if (lastSeenIn[(int) t] != d) {
                    lastSeenIn[(int) t] = d;
                    df[(int) t]++;
                }
            }
        }
        return df;
    }

    /**
     * The smoothed IDF {@code ln((1 + n) / (1 + df)) + 1} of a token found in {@code df} of {@code n} documents: one
     * formula for the pooling weights and the trainer's TF-IDF teacher, so both weigh words alike.
     */
    public static float smoothedIdf(int n, int df) {
        return (float) (Math.log((1.0 + n) / (1.0 + df)) + 1);
    }

    /** The weight of a token id (1 past the end). */
    public float weight(long id) {
        return id >= 0 && id < weights.length ? weights[(int) id] : 1f;
    }

    /** Number of ids with a weight of their own. */
    public int size() {
        return weights.length;
    }

    /** Reads {@link #FILE} from a model directory, if there is one; a malformed file is a {@link CheckpointException}. */
    public static Optional<TokenWeights> read(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, TensorInfo> tensors = f.tensors();
            TensorInfo t = tensors.get(TENSOR);
            if (t == null || t.shape().length != 1) {
                throw new CheckpointException(file + " must hold one 1-D tensor '" + TENSOR + "' [vocab]; it holds " + tensors.keySet());
            }
            try {
                return Optional.of(new TokenWeights(f.readFloats(TENSOR)));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Writes {@link #FILE} into a model directory. */
    public void write(Path modelDir) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(weights.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : weights) {
            b.putFloat(v);
        }
        b.flip();
        SafetensorsWriter.write(modelDir.resolve(FILE),
            List.of(new SafetensorsWriter.Tensor(TENSOR, TensorDType.F32, new long[] { weights.length }, b)), Map.of("format", "pt"));
    }
}
