package org.llmretriever.plugin.query;

import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.AbstractQueryBuilder;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.QueryRewriteContext;
import org.opensearch.index.query.QueryShardContext;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code hybrid_rrf}: reciprocal-rank fusion of several queries (typically BM25 {@code match} and {@code llm_knn}):
 *
 * <pre>{"hybrid_rrf": {"queries": [{"match": {...}}, {"llm_knn": {...}}],
 *                   "rank_constant": 60, "window_size": 100 | [100, 50], "weights": [1.0, 1.0]}}</pre>
 *
 * Each branch's top {@code window_size} documents get {@code weight / (rank_constant + rank)} (rank from 1);
 * a document's score is the sum over branches. Ranks are computed per shard (exact with one shard, the usual
 * approximation across shards, as for k-NN's top-k).
 */
public final class HybridRrfQueryBuilder extends AbstractQueryBuilder<HybridRrfQueryBuilder> {
    /** Query name in the DSL. */
    public static final String NAME = "hybrid_rrf";

    private final List<QueryBuilder> queries;
    private final int rankConstant;
    private final int[] windowSizes;
    private final float[] weights;

    public HybridRrfQueryBuilder(List<QueryBuilder> queries, int rankConstant, int[] windowSizes, float[] weights) {
        if (queries == null || queries.size() < 2) {
            throw new IllegalArgumentException("[" + NAME + "] needs at least two [queries] to fuse");
        }
        if (rankConstant < 1) {
            throw new IllegalArgumentException("[" + NAME + "] [rank_constant] must be at least 1, got " + rankConstant);
        }
        if (windowSizes.length != queries.size() || weights.length != queries.size()) {
            throw new IllegalArgumentException("[" + NAME + "] [window_size] and [weights] lists must have one entry per query (" + queries.size() + ")");
        }
        for (int w : windowSizes) {
            if (w < 1 || w > 10_000) {
                throw new IllegalArgumentException("[" + NAME + "] [window_size] must be between 1 and 10000, got " + w);
            }
        }
        for (float w : weights) {
            if (!(w >= 0) || Float.isInfinite(w)) {
                throw new IllegalArgumentException("[" + NAME + "] [weights] must be finite and >= 0, got " + w);
            }
        }
        this.queries = List.copyOf(queries);
        this.rankConstant = rankConstant;
        this.windowSizes = windowSizes.clone();
        this.weights = weights.clone();
    }

    public HybridRrfQueryBuilder(StreamInput in) throws IOException {
        super(in);
        this.queries = in.readNamedWriteableList(QueryBuilder.class);
        this.rankConstant = in.readVInt();
        this.windowSizes = in.readVIntArray();
        this.weights = in.readFloatArray();
    }

    @Override
    protected void doWriteTo(StreamOutput out) throws IOException {
        out.writeNamedWriteableList(queries);
        out.writeVInt(rankConstant);
        out.writeVIntArray(windowSizes);
        out.writeFloatArray(weights);
    }

    @Override
    protected void doXContent(XContentBuilder builder, Params params) throws IOException {
        builder.startObject(NAME);
        builder.startArray("queries");
        for (QueryBuilder q : queries) {
            q.toXContent(builder, params);
        }
        builder.endArray();
        builder.field("rank_constant", rankConstant);
        builder.field("window_size", windowSizes);
        builder.field("weights", weights);
        printBoostAndQueryName(builder);
        builder.endObject();
    }

    /** Parses the object after {@code "hybrid_rrf":}. */
    public static HybridRrfQueryBuilder fromXContent(XContentParser parser) throws IOException {
        List<QueryBuilder> queries = new ArrayList<>();
        int rankConstant = 60;
        List<Integer> windows = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        float boost = DEFAULT_BOOST;
        String queryName = null;
        String field = null;
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
            if (token == XContentParser.Token.FIELD_NAME) {
                field = parser.currentName();
            } else if ("queries".equals(field) && token == XContentParser.Token.START_ARRAY) {
                while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
                    queries.add(parseInnerQueryBuilder(parser));
                }
            } else if ("window_size".equals(field) && token == XContentParser.Token.START_ARRAY) {
                while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
                    windows.add(parser.intValue(false));
                }
            } else if ("weights".equals(field) && token == XContentParser.Token.START_ARRAY) {
                while (parser.nextToken() != XContentParser.Token.END_ARRAY) {
                    weights.add(parser.floatValue(false));
                }
            } else if (token.isValue()) {
                try {
                    switch (field) {
                        case "rank_constant" -> rankConstant = parser.intValue(false);
                        case "window_size" -> windows.add(-parser.intValue(false)); // negative marks "same for all"
                        case "boost" -> boost = parser.floatValue(false);
                        case "_name" -> queryName = parser.text();
                        default -> throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] does not support [" + field + "]");
                    }
                } catch (IllegalArgumentException e) {
                    throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] [" + field + "] has an invalid value: " + e.getMessage());
                }
            } else {
                throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] does not support [" + field + "] as " + token);
            }
        }
        int n = queries.size();
        int[] w = new int[n];
        if (windows.isEmpty()) {
            Arrays.fill(w, 100);
        } else if (windows.size() == 1 && windows.get(0) < 0) {
            Arrays.fill(w, -windows.get(0));
        } else if (windows.size() == n) {
            for (int i = 0; i < n; i++) {
                w[i] = windows.get(i);
            }
        } else {
            throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] [window_size] must be a number or a list with one entry per query");
        }
        float[] wt = new float[n];
        if (weights.isEmpty()) {
            Arrays.fill(wt, 1f);
        } else if (weights.size() == n) {
            for (int i = 0; i < n; i++) {
                wt[i] = weights.get(i);
            }
        } else {
            throw new ParsingException(parser.getTokenLocation(), "[" + NAME + "] [weights] must have one entry per query (" + n + ")");
        }
        try {
            HybridRrfQueryBuilder b = new HybridRrfQueryBuilder(queries, rankConstant, w, wt);
            b.boost(boost);
            b.queryName(queryName);
            return b;
        } catch (IllegalArgumentException e) {
            throw new ParsingException(parser.getTokenLocation(), e.getMessage());
        }
    }

    @Override
    protected QueryBuilder doRewrite(QueryRewriteContext context) throws IOException {
        List<QueryBuilder> rewritten = new ArrayList<>(queries.size());
        boolean changed = false;
        for (QueryBuilder q : queries) {
            QueryBuilder r = q.rewrite(context);
            changed |= r != q;
            rewritten.add(r);
        }
        if (!changed) {
            return this;
        }
        HybridRrfQueryBuilder b = new HybridRrfQueryBuilder(rewritten, rankConstant, windowSizes, weights);
        b.boost(boost);
        b.queryName(queryName);
        return b;
    }

    @Override
    protected Query doToQuery(QueryShardContext context) throws IOException {
        IndexSearcher searcher = context.searcher();
        if (searcher == null) {
            throw new IllegalStateException("[" + NAME + "] can only run where a shard searcher is available");
        }
        Map<Integer, Float> fused = new HashMap<>();
        for (int i = 0; i < queries.size(); i++) {
            Query q = queries.get(i).toQuery(context);
            TopDocs top = searcher.search(q, windowSizes[i]);
            ScoreDoc[] hits = top.scoreDocs;
            for (int rank = 0; rank < hits.length; rank++) {
                fused.merge(hits[rank].doc, weights[i] / (rankConstant + rank + 1f), Float::sum);
            }
        }
        return new FusedScoreQuery(fused, NAME + " of " + queries.size() + " queries (rank_constant " + rankConstant + ")",
            searcher.getIndexReader().getContext().id());
    }

    @Override
    protected boolean doEquals(HybridRrfQueryBuilder o) {
        return queries.equals(o.queries) && rankConstant == o.rankConstant && Arrays.equals(windowSizes, o.windowSizes)
            && Arrays.equals(weights, o.weights);
    }

    @Override
    protected int doHashCode() {
        return Objects.hash(queries, rankConstant, Arrays.hashCode(windowSizes), Arrays.hashCode(weights));
    }

    @Override
    public String getWriteableName() {
        return NAME;
    }
}
