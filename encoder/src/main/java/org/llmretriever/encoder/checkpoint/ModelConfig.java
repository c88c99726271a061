package org.llmretriever.encoder.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A Hugging Face {@code config.json}, with typed accessors that fail with the field and file named. The raw tree
 * is kept so that a saved checkpoint round-trips fields we do not interpret.
 */
public final class ModelConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode root;
    private final String source;

    private ModelConfig(ObjectNode root, String source) {
        this.root = root;
        this.source = source;
    }

    /** Reads and parses {@code config.json}. */
    public static ModelConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("missing " + file.getFileName() + " in " + file.getParent());
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new CheckpointException(file + " is not a JSON object");
            }
            return new ModelConfig((ObjectNode) n, file.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    /** Wraps a tree (e.g. a generated config). */
    public static ModelConfig of(ObjectNode root, String source) {
        return new ModelConfig(root.deepCopy(), source);
    }

    /** A copy of the raw tree. */
    public ObjectNode json() {
        return root.deepCopy();
    }

    /** Where it came from (for messages). */
    public String source() {
        return source;
    }

    /** {@code model_type}, required. */
    public String modelType() {
        return requiredText("model_type");
    }

    /** Whether a field is present and not null. */
    public boolean has(String field) {
        JsonNode n = root.get(field);
        return n != null && !n.isNull();
    }

    /** The raw node of a field (may be null). */
    public JsonNode node(String field) {
        return root.get(field);
    }

    /** A required positive integer. */
    public int requiredInt(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new CheckpointException("config field '" + field + "' is missing in " + source);
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() <= 0) {
            throw new CheckpointException("config field '" + field + "' must be a positive integer in " + source + ", got " + n);
        }
        return n.asInt();
    }

    /** An optional positive integer. */
    public int optInt(String field, int def) {
        return has(field) ? requiredInt(field) : def;
    }

    /** An optional number. */
    public double optDouble(String field, double def) {
        JsonNode n = optional(field, JsonNode::isNumber, "a number");
        return n == null ? def : n.asDouble();
    }

    /** An optional boolean. */
    public boolean optBool(String field, boolean def) {
        JsonNode n = optional(field, JsonNode::isBoolean, "true or false");
        return n == null ? def : n.asBoolean();
    }

    /** The node of an optional field, null when absent; a value that is not {@code what} is a {@link CheckpointException}. */
    private JsonNode optional(String field, Predicate<JsonNode> valid, String what) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!valid.test(n)) {
            throw new CheckpointException("config field '" + field + "' must be " + what + " in " + source + ", got " + n);
        }
        return n;
    }

    /** A required string. */
    public String requiredText(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull() || !n.isTextual() || n.asText().isBlank()) {
            throw new CheckpointException("config field '" + field + "' is missing in " + source);
        }
        return n.asText();
    }

    /** An optional string. */
    public String optText(String field, String def) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? def : n.asText();
    }

    /** A token id that may be given as an int or a list of ints (the first is taken). */
    public Optional<Integer> tokenId(String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (n.isArray()) {
            return n.isEmpty() ? Optional.empty() : Optional.of(n.get(0).asInt());
        }
        if (!n.isIntegralNumber()) {
            throw new CheckpointException("config field '" + field + "' must be a token id in " + source + ", got " + n);
        }
        return Optional.of(n.asInt());
    }
}
