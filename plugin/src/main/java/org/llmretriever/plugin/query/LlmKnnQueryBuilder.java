package org.llmretriever.plugin.query;

import org.apache.lucene.search.Query;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.plugin.action.EmbedAction;
import org.llmretriever.plugin.mapping.TargetMappings;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.core.ParseField;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.mapper.MappedFieldType;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;
import org.opensearch.knn.index.query.KNNQueryBuilder;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code llm_knn}: k-NN search with the query text embedded by a registered model.
 *
 * <pre>{"llm_knn": {"text_vector": {"query_text": "...", "model": "m", "k": 10, "filter": {...},
 *                                "min_score": 0.5 | "max_distance": 1.0, "boost": 1.0, "_name": "q"}}}</pre>
 *
 * The text is embedded once per request, during the coordinating rewrite, asynchronously on the inference
 * pool (through {@link EmbedAction}, with the query cache); shards receive the vector, check the target field
 * (exists, is {@code knn_vector}, has the model's dimension) and rewrite to k-NN's {@code knn} query.
 */
public final class LlmKnnQueryBuilder extends AbstractQueryBuilder<LlmKnnQueryBuilder> {
    /** Query name in the DSL. */
    public static final String NAME = "llm_knn";
    private static final ParseField QUERY_TEXT = new ParseField("query_text");
    private static final ParseField MODEL = new ParseField("model");
    private static final ParseField K = new ParseField("k");
    private static final ParseField FILTER = new ParseField("filter");
    private static final ParseField MIN_SCORE = new ParseField("min_score");
    private static final ParseField MAX_DISTANCE = new ParseField("max_distance");

    private final String field;
    private final String queryText;
    private final String model;
    private final Integer k;
    private final QueryBuilder filter;
    private final Float minScore;
    private final Float maxDistance;
    private final float[] vector;
    private final Supplier<float[]> pendingVector;

    /** A query whose text is still to be embedded. */
    public LlmKnnQueryBuilder(String field, String queryText, String model, Integer k, QueryBuilder filter, Float minScore, Float maxDistance) {
        this(field, queryText, model, k, filter, minScore, maxDistance, null, null);
    }

    private LlmKnnQueryBuilder(String field, String queryText, String model, Integer k, QueryBuilder filter, Float minScore,
                               Float maxDistance, float[] vector, Supplier<float[]> pendingVector) {
        this.field = field;
        this.queryText = queryText;
        this.model = model;
        this.k = k;
        this.filter = filter;
        this.minScore = minScore;
        this.maxDistance = maxDistance;
        this.vector = vector;
        this.pendingVector = pendingVector;
        validate();
    }

    private void validate() {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] needs a target field: {\"llm_knn\": {\"<field>\": {...}}}");
        }
        if (queryText == null || queryText.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] [query_text] is required and must not be empty");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("[" + NAME + "] [model] is required");
        }
        int modes = (k != null ? 1 : 0) + (minScore != null ? 1 : 0) + (maxDistance != null ? 1 : 0);
        if (modes != 1) {
            throw new IllegalArgumentException("[" + NAME + "] exactly one of [k], [min_score] and [max_distance] must be set");
        }
        if (k != null && (k < 1 || k > 10_000)) {
            throw new IllegalArgumentException("[" + NAME + "] [k] must be between 1 and 10000, got " + k);
        }
    }

    public LlmKnnQueryBuilder(StreamInput in) throws IOException {
        super(in);
        this.field = in.readString();
        this.queryText = in.readString();
        this.model = in.readString();
        this.k = in.readOptionalVInt();
        this.filter = in.readOptionalNamedWriteable(QueryBuilder.class);
        this.minScore = in.readOptionalFloat();
        this.maxDistance = in.readOptionalFloat();
        this.vector = in.readBoolean() ? in.readFloatArray() : null;
        this.pendingVector = null;
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        if (vector == null && pendingVector != null) {
            throw new IllegalStateException("[" + NAME + "] must be rewritten (query text embedded) before it is sent to shards");
        }
        out.writeString(field);
        out.writeString(queryText);
        out.writeString(model);
        out.writeOptionalVInt(k);
        out.writeOptionalNamedWriteable(filter);
        out.writeOptionalFloat(minScore);
        out.writeOptionalFloat(maxDistance);
        out.writeBoolean(vector != null);
        if (vector != null) {
            out.writeFloatArray(vector);
        }
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.startObject(field);
        builder.field(QUERY_TEXT.getPreferredName(), queryText);
        builder.field(MODEL.getPreferredName(), model);
        if (k != null) {
            builder.field(K.getPreferredName(), k);
        }
        if (minScore != null) {
            builder.field(MIN_SCORE.getPreferredName(), minScore);
        }
        if (maxDistance != null) {
            builder.field(MAX_DISTANCE.getPreferredName(), maxDistance);
        }
        if (filter != null) {
            builder.field(FILTER.getPreferredName(), filter);
        }
        printBoostAndQueryName(builder);
        builder.endObject();
        builder.endObject();
    }

    /** Parses {@code {"<field>": {...}}} (the part after {@code "llm_knn":}). */
    public static LlmKnnQueryBuilder fromXContent(XContentParser parser) throws IOException {
        String field = null;
        String text = null;
        String model = null;
        Integer k = null;
        QueryBuilder filter = null;
        Float minScore = null;
        Float maxDistance = null;
        float boost = DEFAULT_BOOST;
        String queryName = null;
        XContentParser.Token token;
        String current = null;
        while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
            if (token == XContentParser.Token.FIELD_NAME) {
                current = parser.currentName();
            } else if (token == XContentParser.Token.START_OBJECT) {
                if (field != null) {
                    throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] takes one field, found [" + field + "] and [" + current + "]");
                }
                field = current;
                while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
                    if (token == XContentParser.Token.FIELD_NAME) {
                        current = parser.currentName();
                    } else if (token == XContentParser.Token.START_OBJECT && FILTER.match(current, parser.getDeprecationHandler())) {
                        filter = parseInnerQueryBuilder(parser);
                    } else if (token.isValue()) {
                        try {
                            if (QUERY_TEXT.match(current, parser.getDeprecationHandler())) {
                                text = string(parser, QUERY_TEXT);
                            } else if (MODEL.match(current, parser.getDeprecationHandler())) {
                                model = string(parser, MODEL);
                            } else if (K.match(current, parser.getDeprecationHandler())) {
                                k = parser.intValue(false);
                            } else if (MIN_SCORE.match(current, parser.getDeprecationHandler())) {
                                minScore = parser.floatValue(false);
                            } else if (MAX_DISTANCE.match(current, parser.getDeprecationHandler())) {
                                maxDistance = parser.floatValue(false);
                            } else if (BOOST_FIELD.match(current, parser.getDeprecationHandler())) {
                                boost = parser.floatValue(false);
                            } else if (NAME_FIELD.match(current, parser.getDeprecationHandler())) {
                                queryName = parser.text();
                            } else {
                                throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] does not support [" + current + "]");
                            }
                        } catch (IllegalArgumentException e) {
                            throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] [" + current + "] has an invalid value: " + e.getMessage());
                        }
                    } else {
                        throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] [" + current + "] must be a single value"
                            + (FILTER.match(current, parser.getDeprecationHandler()) ? "" : " (only [filter] takes an object)"));
                    }
                }
            } else {
                throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] expects {\"<field>\": {\"query_text\": ..., \"model\": ...}}");
            }
        }
        try {
            LlmKnnQueryBuilder b = new LlmKnnQueryBuilder(field, text, model, k, filter, minScore, maxDistance);
            b.boost(boost);
            b.queryName(queryName);
            return b;
        } catch (IllegalArgumentException e) {
            throw new ParsingException(parser.getTokenLocation(), e.getMessage());
        }
    }

    /** A string value; numbers and booleans are not silently taken as text. */
    private static String string(XContentParser parser, ParseField field) throws IOException {
        if (parser.currentToken() != XContentParser.Token.VALUE_STRING) {
            throw new IllegalArgumentException("[" + field.getPreferredName() + "] must be a string, got " + parser.currentToken());
        }
        return parser.text();
    }

    private LlmKnnQueryBuilder copy(QueryBuilder newFilter, float[] newVector, Supplier<float[]> pending) {
        LlmKnnQueryBuilder b = new LlmKnnQueryBuilder(field, queryText, model, k, newFilter, minScore, maxDistance, newVector, pending);
        b.boost(boost);
        b.queryName(queryName);
        return b;
    }

    @Override
    protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
        if (vector == null) {
            if (pendingVector != null) {
                float[] v = pendingVector.get();
                return v == null ? this : copy(filter, v, null);
            }
            float[][] holder = new float[1][];
            context.registerAsyncAction((client, listener) -> client.execute(EmbedAction.INSTANCE,
                new EmbedAction.Request(model, List.of(queryText), Kind.QUERY, EncoderOptions.Truncation.TRUNCATE, true),
                ActionListener.wrap(r -> {
                    if (r.result().vector(0) == null) {
                        listener.onFailure(new OpenSearchStatusException("[" + NAME + "] query_text " + r.result().error(0), RestStatus.BAD_REQUEST));
                        return;
                    }
                    holder[0] = r.result().vector(0);
                    listener.onResponse(null);
                }, listener::onFailure)));
            return copy(filter, null, () -> holder[0]);
        }
        if (filter != null) {
            QueryBuilder rewritten = filter.rewrite(context);
            if (rewritten != filter) {
                return copy(rewritten, vector, null);
            }
        }
        QueryShardContext shard = context.convertToShardContext();
        if (shard != null) {
            return toKnn(shard);
        }
        return this;
    }

    /**
     * Checks the target field on this shard's mapping and builds k-NN's {@code knn} query around the vector. The
     * plugin extends k-NN ({@code extended.plugins=opensearch-knn}), so {@link KNNQueryBuilder} is the very class the
     * node's k-NN plugin registered; the filter, boost and name go over as they are.
     */
    private KNNQueryBuilder toKnn(QueryShardContext shard) {
        MappedFieldType ft = shard.fieldMapper(field);
        String index = shard.index().getName();
        if (ft == null) {
            throw new OpenSearchStatusException("[" + NAME + "] field [" + field + "] is not mapped in index [" + index + "]", RestStatus.BAD_REQUEST);
        }
        if (!"knn_vector".equals(ft.typeName())) {
            throw new OpenSearchStatusException("[" + NAME + "] field [" + field + "] of index [" + index + "] is of type [" + ft.typeName()
                + "], not knn_vector", RestStatus.BAD_REQUEST);
        }
        int dim = TargetMappings.of(shard.getIndexSettings().getIndexMetadata(), field).dimension();
        if (dim > 0 && dim != vector.length) {
            throw new OpenSearchStatusException("[" + NAME + "] field [" + field + "] of index [" + index + "] has dimension " + dim
                + " but model [" + model + "] produces " + vector.length + "-dimensional vectors", RestStatus.BAD_REQUEST);
        }
        return KNNQueryBuilder.builder()
            .fieldName(field)
            .vector(vector)
            .k(k)
            .minScore(minScore)
            .maxDistance(maxDistance)
            .filter(filter)
            .boost(boost)
            .queryName(queryName)
            .build();
    }

    @Override
    protected Query doToQuery(QueryShardContext context) throws IOException {
        if (vector == null) {
            throw new IllegalStateException("[" + NAME + "] query text was not embedded; the query must be rewritten first");
        }
        return toKnn(context).rewrite(context).toQuery(context);
    }

    @Override
    protected boolean doEquals(LlmKnnQueryBuilder o) {
        return field.equals(o.field) && queryText.equals(o.queryText) && model.equals(o.model) && Objects.equals(k, o.k)
            && Objects.equals(filter, o.filter) && Objects.equals(minScore, o.minScore) && Objects.equals(maxDistance, o.maxDistance)
            && Arrays.equals(vector, o.vector);
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(field, queryText, model, k, filter, minScore, maxDistance, Arrays.hashCode(vector));
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }

    /** Target field. */
    public String fieldName() {
        return field;
    }

    /** The embedded vector, once rewritten. */
    public float[] vector() {
        return vector;
    }
}
