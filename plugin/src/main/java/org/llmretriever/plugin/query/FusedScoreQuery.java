package org.llmretriever.plugin.query;

import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.Explanation;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * A Lucene query that matches a fixed set of documents (top-level doc ids of one reader) with given scores — the
 * result of fusing several ranked lists on a shard. Never cached: the ids belong to one point-in-time reader.
 */
final class FusedScoreQuery extends Query {
    private final int[] docs;      // sorted top-level doc ids
    private final float[] scores;  // aligned with docs
    private final String description;
    private final Object readerKey;

    FusedScoreQuery(Map<Integer, Float> fused, String description, Object readerKey) {
        this.docs = fused.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        this.scores = new float[docs.length];
        for (int i = 0; i < docs.length; i++) {
            scores[i] = fused.get(docs[i]);
        }
        this.description = description;
        this.readerKey = readerKey;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
        return new Weight(this) {
            @Override
            public Explanation explain(LeafReaderContext ctx, int doc) {
                int i = Arrays.binarySearch(docs, ctx.docBase + doc);
                return i >= 0 ? Explanation.match(scores[i] * boost, description) : Explanation.noMatch(description + ": not in any fused list");
            }

            @Override
            public ScorerSupplier scorerSupplier(LeafReaderContext ctx) {
                int from = lowerBound(ctx.docBase);
                int to = lowerBound(ctx.docBase + ctx.reader().maxDoc());
                if (from == to) {
                    return null;
                }
                return new DefaultScorerSupplier(new FusedScorer(from, to, ctx.docBase, boost));
            }

            @Override
            public boolean isCacheable(LeafReaderContext ctx) {
                return false;
            }
        };
    }

    private int lowerBound(int doc) {
        int i = Arrays.binarySearch(docs, doc);
        return i >= 0 ? i : -i - 1;
    }

    /** Iterates docs[from, to) of one segment. */
    private final class FusedScorer extends Scorer {
        private final int from;
        private final int to;
        private final int docBase;
        private final float boost;
        private int pos;

        FusedScorer(int from, int to, int docBase, float boost) {
            this.from = from;
            this.to = to;
            this.docBase = docBase;
            this.boost = boost;
            this.pos = from - 1;
        }

        @Override
        public int docID() {
            return pos < from ? -1 : pos >= to ? DocIdSetIterator.NO_MORE_DOCS : docs[pos] - docBase;
        }

        @Override
        public float score() {
            return scores[pos] * boost;
        }

        @Override
        public float getMaxScore(int upTo) {
            float max = 0;
            for (int i = from; i < to; i++) {
                max = Math.max(max, scores[i]);
            }
            return max * boost;
        }

        @Override
        public DocIdSetIterator iterator() {
            return new DocIdSetIterator() {
                @Override
                public int docID() {
                    return FusedScorer.this.docID();
                }

                @Override
                public int nextDoc() {
                    pos = Math.min(pos + 1, to);
                    return docID();
                }

                @Override
                public int advance(int target) {
                    int global = target + docBase;
                    int i = lowerBound(global);
                    pos = Math.max(Math.min(i, to), pos + 1);
                    pos = Math.min(pos, to);
                    return docID();
                }

                @Override
                public long cost() {
                    return to - from;
                }
            };
        }
    }

    @Override
    public void visit(QueryVisitor visitor) {
        visitor.visitLeaf(this);
    }

    @Override
    public String toString(String field) {
        return description + " (" + docs.length + " docs)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FusedScoreQuery f && f.readerKey == readerKey && Arrays.equals(f.docs, docs) && Arrays.equals(f.scores, scores);
    }

    @Override
    public int hashCode() {
        return Objects.hash(System.identityHashCode(readerKey), Arrays.hashCode(docs), Arrays.hashCode(scores));
    }
}
