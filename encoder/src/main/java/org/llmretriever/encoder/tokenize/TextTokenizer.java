package org.llmretriever.encoder.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.runtime.TorchRuntime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) run by the Rust tokenizers library through DJL, plus
 * the token→id table read in Java (DJL exposes no lookup). No truncation or padding here: the encoder does both.
 */
public final class TextTokenizer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String json;
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> vocab;
    private final int vocabSize;

    private TextTokenizer(String json, String source) {
        this.json = json;
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + source + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.has("model")) {
            throw new CheckpointException(source + " is not a Hugging Face tokenizer.json (no 'model')");
        }
        this.vocab = Collections.unmodifiableMap(readVocab(root));
        this.vocabSize = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        TorchRuntime.prepareProperties();
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot load tokenizer " + source + ": " + e.getMessage(), e);
        }
    }

    /** Loads {@code tokenizer.json}. */
    public static TextTokenizer load(Path file) {
        try {
            return new TextTokenizer(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** From the JSON text of a tokenizer.json. */
    public static TextTokenizer fromJson(String json) {
        return new TextTokenizer(json, "tokenizer.json");
    }

    private static Map<String, Integer> readVocab(JsonNode root) {
        Map<String, Integer> v = new HashMap<>();
        JsonNode model = root.get("model");
        JsonNode modelVocab = model.get("vocab");
        if (modelVocab != null && modelVocab.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = modelVocab.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                v.put(e.getKey(), e.getValue().asInt());
            }
        } else if (modelVocab != null && modelVocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < modelVocab.size(); i++) {
                v.put(modelVocab.get(i).get(0).asText(), i);
            }
        }
        JsonNode added = root.get("added_tokens");
        if (added != null && added.isArray()) {
            for (JsonNode t : added) {
                v.put(t.get("content").asText(), t.get("id").asInt());
            }
        }
        return v;
    }

    /** Token ids of {@code text}; with {@code addSpecialTokens} the tokenizer's post-processor adds e.g. BOS. */
    public long[] encode(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false).getIds();
    }

    /** Text of token ids. */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** Id of a token string (vocabulary or added token). */
    public OptionalInt tokenId(String token) {
        Integer id = vocab.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** One more than the largest id. */
    public int vocabSize() {
        return vocabSize;
    }

    /** The tokenizer.json text (for saving a checkpoint). */
    public String json() {
        return json;
    }

    /**
     * A new tokenizer with {@code tokens} added as special tokens (ids from {@link #vocabSize()} on), e.g. LLaRA's
     * placeholder tokens; tokens already present keep their ids.
     */
    public TextTokenizer withSpecialTokens(List<String> tokens) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(json);
            ArrayNode added = root.has("added_tokens") && root.get("added_tokens").isArray()
                ? (ArrayNode) root.get("added_tokens")
                : root.putArray("added_tokens");
            int next = vocabSize;
            for (String t : tokens) {
                if (vocab.containsKey(t)) {
                    continue;
                }
                addSpecialToken(added, next++, t);
            }
            return fromJson(JSON.writeValueAsString(root));
        } catch (IOException e) {
            throw new IllegalStateException("cannot extend tokenizer: " + e.getMessage(), e);
        }
    }

    /** Appends a special token to a tokenizer.json {@code added_tokens} array: matched whole, never split or normalized. */
    static void addSpecialToken(ArrayNode added, int id, String content) {
        added.addObject().put("id", id).put("content", content)
            .put("single_word", false).put("lstrip", false).put("rstrip", false).put("normalized", false).put("special", true);
    }

    /** Writes {@code tokenizer.json} into a directory. */
    public void save(Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
