package org.llmretriever.plugin.model;

import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.Preset;
import org.llmretriever.encoder.embed.PromptTemplate;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.common.io.stream.Writeable;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A registered model: what the user asked for ({@code PUT models/{name}}) plus what validation found (dimension,
 * family, parameters). Stored in cluster state, so every node sees it and it survives a full restart.
 * {@link #version()} grows with every PUT of the same name; caches and loaded copies key on it.
 */
public final class ModelDefinition implements Writeable, ToXContentObject {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,127}");
    static final Set<String> REQUEST_FIELDS = Set.of("path", "pooling", "normalize", "max_tokens", "query_prompt", "passage_prompt",
        "dtype", "device", "adapter", "attention", "preset");

    private final String name;
    private final String path;
    private final Pooling pooling;
    private final boolean normalize;
    private final int maxTokens;
    private final String queryPrompt;
    private final String passagePrompt;
    private final EncoderOptions.DTypeChoice dtype;
    private final EncoderOptions.DeviceChoice device;
    private final String adapter;
    private final EncoderOptions.Attention attention;
    /** The preset the definition started from (null: none); its settings are already in the fields above. */
    private final String preset;
    private final int dimension;
    private final String family;
    private final String modelType;
    private final long parameters;
    private final long version;
    private final long createdMillis;

    public ModelDefinition(String name, String path, Pooling pooling, boolean normalize, int maxTokens, String queryPrompt,
                           String passagePrompt, EncoderOptions.DTypeChoice dtype, EncoderOptions.DeviceChoice device, String adapter,
                           EncoderOptions.Attention attention, String preset, int dimension, String family, String modelType, long parameters,
                           long version, long createdMillis) {
        this.name = name;
        this.path = path;
        this.pooling = pooling;
        this.normalize = normalize;
        this.maxTokens = maxTokens;
        this.queryPrompt = queryPrompt;
        this.passagePrompt = passagePrompt;
        this.dtype = dtype;
        this.device = device;
        this.adapter = adapter;
        this.attention = attention;
        this.preset = preset;
        this.dimension = dimension;
        this.family = family;
        this.modelType = modelType;
        this.parameters = parameters;
        this.version = version;
        this.createdMillis = createdMillis;
    }

    /** Reads what {@link #writeTo} wrote: pooling, dtype, device and attention travel as their lowercase names. */
    public ModelDefinition(StreamInput in) throws IOException {
        this(in.readString(), in.readString(), Pooling.parse(in.readString()), in.readBoolean(), in.readVInt(), in.readString(), in.readString(),
            EncoderOptions.DTypeChoice.parse(in.readString()), EncoderOptions.DeviceChoice.parse(in.readString()), in.readOptionalString(),
            EncoderOptions.Attention.parse(in.readString()), in.readOptionalString(), in.readVInt(), in.readString(), in.readString(),
            in.readVLong(), in.readVLong(), in.readVLong());
    }

    @Override
    public void writeTo(StreamOutput out) throws IOException {
        out.writeString(name);
        out.writeString(path);
        out.writeString(pooling.toString());
        out.writeBoolean(normalize);
        out.writeVInt(maxTokens);
        out.writeString(queryPrompt);
        out.writeString(passagePrompt);
        out.writeString(lower(dtype));
        out.writeString(lower(device));
        out.writeOptionalString(adapter);
        out.writeString(attention.toString());
        out.writeOptionalString(preset);
        out.writeVInt(dimension);
        out.writeString(family);
        out.writeString(modelType);
        out.writeVLong(parameters);
        out.writeVLong(version);
        out.writeVLong(createdMillis);
    }

    /** How dtype and device are written in requests, responses and cluster state: {@code float16}, {@code cuda}. */
    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Checks a model name (used in URLs, cluster state and the query DSL). */
    public static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                "model name [" + name + "] is invalid: use 1-128 lowercase letters, digits, '_', '-' or '.', starting with a letter or digit");
        }
    }

    /**
     * The user's request, parsed and checked field by field (unknown fields and wrong types are errors naming
     * the field); derived fields are filled in later by {@link #withDerived}. A {@code preset} (see {@link Preset})
     * supplies the defaults of pooling, normalize, max_tokens, the prompts and attention; fields given explicitly win.
     */
    public static ModelDefinition fromRequest(String name, Map<String, Object> body) {
        validateName(name);
        for (String k : body.keySet()) {
            if (!REQUEST_FIELDS.contains(k)) {
                throw new IllegalArgumentException("unknown field [" + k + "] in model definition; known fields: " + REQUEST_FIELDS.stream().sorted().toList());
            }
        }
        String path = string(body, "path", null);
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("[path] is required: the model's directory under plugins.llm_retriever.models_path");
        }
        String presetName = string(body, "preset", null);
        Preset preset = presetName == null ? null : Preset.get(presetName);
        Pooling pooling = Pooling.parse(string(body, "pooling", preset != null ? preset.pooling().toString() : "last_token"));
        boolean normalize = bool(body, "normalize", preset == null || preset.normalize());
        int maxTokens = integer(body, "max_tokens", preset != null ? preset.maxTokens() : 512);
        if (maxTokens < 2 || maxTokens > 131_072) {
            throw new IllegalArgumentException("[max_tokens] must be between 2 and 131072, got " + maxTokens);
        }
        String query = string(body, "query_prompt", preset != null ? preset.queryPrompt() : "");
        String passage = string(body, "passage_prompt", preset != null ? preset.passagePrompt() : "");
        PromptTemplate.parse(query);
        PromptTemplate.parse(passage);
        EncoderOptions.DTypeChoice dtype = EncoderOptions.DTypeChoice.parse(string(body, "dtype", "auto"));
        EncoderOptions.DeviceChoice device = EncoderOptions.DeviceChoice.parse(string(body, "device", "auto"));
        String adapter = string(body, "adapter", null);
        EncoderOptions.Attention attention = EncoderOptions.Attention.parse(string(body, "attention",
            preset != null ? preset.attention().toString() : "causal"));
        return new ModelDefinition(name, path, pooling, normalize, maxTokens, query, passage, dtype, device,
            adapter == null || adapter.isBlank() ? null : adapter, attention, presetName, 0, "", "", 0, 0, 0);
    }

    private static String string(Map<String, Object> m, String k, String def) {
        Object v = m.get(k);
        if (v == null) {
            return def;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("[" + k + "] must be a string, got " + describe(v));
        }
        return s;
    }

    private static boolean bool(Map<String, Object> m, String k, boolean def) {
        Object v = m.get(k);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("[" + k + "] must be true or false, got " + describe(v));
        }
        return b;
    }

    private static int integer(Map<String, Object> m, String k, int def) {
        Object v = m.get(k);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() != ((Number) v).intValue()) {
            throw new IllegalArgumentException("[" + k + "] must be an integer, got " + describe(v));
        }
        return ((Number) v).intValue();
    }

    static String describe(Object v) {
        if (v instanceof String s) {
            return "the string \"" + s + "\"";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof Map) {
            return "an object";
        }
        return v.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + v;
    }

    /** A copy with validation results and a version. */
    public ModelDefinition withDerived(int dim, String fam, String type, long params, long newVersion, long created) {
        return new ModelDefinition(name, path, pooling, normalize, maxTokens, queryPrompt, passagePrompt, dtype, device, adapter, attention, preset, dim, fam,
            type, params, newVersion, created);
    }

    /** The encoder options this definition asks for (batching from node settings). */
    public EncoderOptions encoderOptions(int maxBatchTokens, int maxBatchSize, int blockwiseAbove, java.nio.file.Path adapterDir) {
        EncoderOptions o = EncoderOptions.defaults()
            .withPooling(pooling)
            .withNormalize(normalize)
            .withMaxTokens(maxTokens)
            .withPrompts(queryPrompt, passagePrompt)
            .withDevice(device, dtype)
            .withBatching(Math.max(maxBatchTokens, maxTokens), maxBatchSize)
            .withBlockwiseAttention(blockwiseAbove, 256)
            .withAttention(attention);
        return adapterDir == null ? o : o.withAdapter(adapterDir);
    }

    public String name() {
        return name;
    }

    public String path() {
        return path;
    }

    public String adapter() {
        return adapter;
    }

    public int dimension() {
        return dimension;
    }

    public String family() {
        return family;
    }

    public long parameters() {
        return parameters;
    }

    public long version() {
        return version;
    }

    public EncoderOptions.DTypeChoice dtype() {
        return dtype;
    }

    public EncoderOptions.DeviceChoice device() {
        return device;
    }

    public Pooling pooling() {
        return pooling;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public EncoderOptions.Attention attention() {
        return attention;
    }

    /** The definition as {@code GET models/{name}} shows it. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", path);
        m.put("pooling", pooling.toString());
        m.put("normalize", normalize);
        m.put("max_tokens", maxTokens);
        m.put("query_prompt", queryPrompt);
        m.put("passage_prompt", passagePrompt);
        m.put("dtype", lower(dtype));
        m.put("device", lower(device));
        if (adapter != null) {
            m.put("adapter", adapter);
        }
        m.put("attention", attention.toString());
        if (preset != null) {
            m.put("preset", preset);
        }
        m.put("dimension", dimension);
        m.put("family", family);
        m.put("model_type", modelType);
        m.put("parameters", parameters);
        m.put("version", version);
        m.put("created_at_millis", createdMillis);
        return m;
    }

    @Override
    public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject();
        builder.field("name", name);
        for (Map.Entry<String, Object> e : asMap().entrySet()) {
            builder.field(e.getKey(), e.getValue());
        }
        return builder.endObject();
    }

    /** Parses what {@link #toXContent} wrote (cluster state on disk). */
    @SuppressWarnings("unchecked")
    public static ModelDefinition fromMap(Map<String, Object> m) {
        return new ModelDefinition((String) m.get("name"), (String) m.get("path"), Pooling.parse((String) m.get("pooling")),
            (Boolean) m.get("normalize"), ((Number) m.get("max_tokens")).intValue(), (String) m.get("query_prompt"),
            (String) m.get("passage_prompt"), EncoderOptions.DTypeChoice.parse((String) m.get("dtype")),
            EncoderOptions.DeviceChoice.parse((String) m.get("device")), (String) m.get("adapter"),
            m.get("attention") instanceof String a ? EncoderOptions.Attention.parse(a) : EncoderOptions.Attention.CAUSAL, // stored before the field existed
            (String) m.get("preset"),
            ((Number) m.get("dimension")).intValue(),
            (String) m.get("family"), (String) m.get("model_type"), ((Number) m.get("parameters")).longValue(),
            ((Number) m.get("version")).longValue(), ((Number) m.get("created_at_millis")).longValue());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelDefinition d && d.asMap().equals(asMap()) && d.name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, version);
    }
}
