package org.llmretriever.encoder;

import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.PromptTemplate;
import org.llmretriever.encoder.model.TokenBatch;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How an {@link EncoderModel} embeds. Immutable; {@code withX} methods return modified copies.
 *
 * @param pooling how token states become a vector
 * @param normalize L2-normalize vectors
 * @param maxTokens longest input in tokens (prompt included); longer texts are truncated or rejected
 * @param truncation what to do with longer inputs
 * @param queryPrompt template for queries
 * @param passagePrompt template for passages
 * @param device where to run
 * @param dtype compute precision
 * @param maxBatchTokens padded tokens (B × T) per forward pass
 * @param maxBatchSize texts per forward pass
 * @param paddingSide padding side (embeddings do not depend on it)
 * @param blockwiseAbove sequences longer than this use block-wise attention
 * @param attentionBlock block size of block-wise attention
 * @param adapter optional PEFT LoRA adapter directory, merged at load
 * @param attention causal (the decoder as pretrained) or bidirectional (every token sees the whole text, as
 *     LLM2Vec and gte-Qwen2 embed; a model must have been adapted that way to benefit)
 */
public record EncoderOptions(
    Pooling pooling,
    boolean normalize,
    int maxTokens,
    Truncation truncation,
    PromptTemplate queryPrompt,
    PromptTemplate passagePrompt,
    DeviceChoice device,
    DTypeChoice dtype,
    int maxBatchTokens,
    int maxBatchSize,
    TokenBatch.PaddingSide paddingSide,
    int blockwiseAbove,
    int attentionBlock,
    Path adapter,
    Attention attention
) {
    /** Which tokens each token attends to while embedding. */
    public enum Attention {
        /** Each token sees itself and the tokens before it (the decoder's own attention). */
        CAUSAL,
        /** Each token sees every token of its text. */
        BIDIRECTIONAL;

        /** Parses {@code causal} / {@code bidirectional}. */
        public static Attention parse(String s) {
            return EnumNames.parse(Attention.class, s, "attention must be 'causal' or 'bidirectional'");
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Over-long inputs. */
    public enum Truncation {
        /** Keep the first tokens of the text (prompt kept), and count it. */
        TRUNCATE,
        /** Reject the input with an error naming it. */
        FAIL;

        /** Parses {@code truncate} / {@code fail}. */
        public static Truncation parse(String s) {
            return EnumNames.parse(Truncation.class, s, "truncation must be 'truncate' or 'fail'");
        }
    }

    /** Device request. */
    public enum DeviceChoice {
        /** CUDA if present, else CPU. */
        AUTO,
        /** CPU. */
        CPU,
        /** CUDA (fails if absent). */
        CUDA;

        /** Parses {@code auto|cpu|cuda}. */
        public static DeviceChoice parse(String s) {
            return EnumNames.parse(DeviceChoice.class, s, "device must be auto, cpu or cuda");
        }
    }

    /** Precision request. */
    public enum DTypeChoice {
        /** float16 on CUDA, float32 on CPU. */
        AUTO,
        /** float32. */
        FLOAT32,
        /** float16. */
        FLOAT16;

        /** Parses {@code auto|float32|float16}. */
        public static DTypeChoice parse(String s) {
            return EnumNames.parse(DTypeChoice.class, s, "dtype must be auto, float32 or float16");
        }
    }

    /** Validates. */
    public EncoderOptions {
        if (maxTokens < 2) {
            throw new IllegalArgumentException("max_tokens must be at least 2, got " + maxTokens);
        }
        if (maxBatchTokens < maxTokens) {
            throw new IllegalArgumentException("max_batch_tokens (" + maxBatchTokens + ") must be >= max_tokens (" + maxTokens + ")");
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max_batch_size must be positive");
        }
        if (attentionBlock < 1) {
            throw new IllegalArgumentException("attention block must be positive");
        }
    }

    /** Defaults: last-token pooling, normalized, 512 tokens, truncate, CPU/float32 unless CUDA is there. */
    public static EncoderOptions defaults() {
        return new EncoderOptions(Pooling.LAST_TOKEN, true, 512, Truncation.TRUNCATE, PromptTemplate.NONE, PromptTemplate.NONE,
            DeviceChoice.AUTO, DTypeChoice.AUTO, 16_384, 64, TokenBatch.PaddingSide.LEFT, 1024, 256, null, Attention.CAUSAL);
    }

    /** Copy with another pooling. */
    public EncoderOptions withPooling(Pooling p) {
        return new EncoderOptions(p, normalize, maxTokens, truncation, queryPrompt, passagePrompt, device, dtype, maxBatchTokens,
            maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with normalization on/off. */
    public EncoderOptions withNormalize(boolean n) {
        return new EncoderOptions(pooling, n, maxTokens, truncation, queryPrompt, passagePrompt, device, dtype, maxBatchTokens,
            maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with another token limit (batch token budget raised if needed). */
    public EncoderOptions withMaxTokens(int m) {
        return new EncoderOptions(pooling, normalize, m, truncation, queryPrompt, passagePrompt, device, dtype,
            Math.max(maxBatchTokens, m), maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with another truncation policy. */
    public EncoderOptions withTruncation(Truncation t) {
        return new EncoderOptions(pooling, normalize, maxTokens, t, queryPrompt, passagePrompt, device, dtype, maxBatchTokens,
            maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with prompt templates. */
    public EncoderOptions withPrompts(String query, String passage) {
        return new EncoderOptions(pooling, normalize, maxTokens, truncation, PromptTemplate.parse(query), PromptTemplate.parse(passage),
            device, dtype, maxBatchTokens, maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with device and dtype requests. */
    public EncoderOptions withDevice(DeviceChoice d, DTypeChoice t) {
        return new EncoderOptions(pooling, normalize, maxTokens, truncation, queryPrompt, passagePrompt, d, t, maxBatchTokens,
            maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with batching limits. */
    public EncoderOptions withBatching(int batchTokens, int batchSize) {
        return new EncoderOptions(pooling, normalize, maxTokens, truncation, queryPrompt, passagePrompt, device, dtype, batchTokens,
            batchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with another padding side. */
    public EncoderOptions withPaddingSide(TokenBatch.PaddingSide s) {
        return new EncoderOptions(pooling, normalize, maxTokens, truncation, queryPrompt, passagePrompt, device, dtype, maxBatchTokens,
            maxBatchSize, s, blockwiseAbove, attentionBlock, adapter, attention);
    }

    /** Copy with block-wise attention settings. */
    public EncoderOptions withBlockwiseAttention(int above, int block) {
        return new EncoderOptions(pooling, normalize, maxTokens, truncation, queryPrompt, passagePrompt, device, dtype, maxBatchTokens,
            maxBatchSize, paddingSide, above, block, adapter, attention);
    }

    /** Copy with a LoRA adapter directory. */
    public EncoderOptions withAdapter(Path dir) {
        return new EncoderOptions(pooling, normalize, maxTokens, truncation, queryPrompt, passagePrompt, device, dtype, maxBatchTokens,
            maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, dir, attention);
    }

    /** Copy with another attention pattern. */
    public EncoderOptions withAttention(Attention a) {
        return new EncoderOptions(pooling, normalize, maxTokens, truncation, queryPrompt, passagePrompt, device, dtype, maxBatchTokens,
            maxBatchSize, paddingSide, blockwiseAbove, attentionBlock, adapter, a);
    }

    /** The template for a kind. */
    public PromptTemplate prompt(Kind kind) {
        return kind == Kind.QUERY ? queryPrompt : passagePrompt;
    }
}
