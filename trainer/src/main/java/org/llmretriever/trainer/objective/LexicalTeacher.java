package org.llmretriever.trainer.objective;

import org.llmretriever.encoder.embed.TokenWeights;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A TF-IDF teacher over the corpus's own token ids, for {@code --lexical-teacher}: the cosine of two texts'
 * TF-IDF vectors (sublinear term frequency, smoothed inverse document frequency). On SciFact, TF-IDF cosine over
 * words scores nDCG@10 0.633 where a small LLM's embeddings score far less; distilling its in-batch similarities
 * tells the student which words pin a document (SPAR's "imitate a sparse retriever", without labels).
 */
public final class LexicalTeacher {
    private final float[] idf;
    private final float unseenIdf;

    /** @param documents every document's token ids (the index contents) */
    public LexicalTeacher(List<long[]> documents) {
        this(TokenWeights.documentFrequencies(documents, 1 + (int) documents.stream().flatMapToLong(java.util.Arrays::stream).max().orElse(0)),
            documents.size());
    }

    /** @param df each token id's document frequency among the corpus's {@code n} documents (the index contents) */
    public LexicalTeacher(int[] df, int n) {
        idf = new float[df.length];
        for (int t = 0; t < df.length; t++) {
            idf[t] = TokenWeights.smoothedIdf(n, df[t]);
        }
        unseenIdf = TokenWeights.smoothedIdf(n, 0);
    }

    /** The inverse document frequency of a token id (that of a token seen nowhere for an unknown one). */
    public float idf(long token) {
        return token >= 0 && token < idf.length ? idf[(int) token] : unseenIdf;
    }

    /** {@code [A, B]} TF-IDF cosines between each text of {@code a} and each of {@code b}. */
    public float[][] cosines(List<long[]> a, List<long[]> b) {
        List<Map<Long, Float>> va = a.stream().map(this::unitVector).toList();
        List<Map<Long, Float>> vb = b.stream().map(this::unitVector).toList();
        float[][] out = new float[va.size()][vb.size()];
        for (int i = 0; i < va.size(); i++) {
            for (int j = 0; j < vb.size(); j++) {
                Map<Long, Float> small = va.get(i).size() <= vb.get(j).size() ? va.get(i) : vb.get(j);
                Map<Long, Float> large = small == va.get(i) ? vb.get(j) : va.get(i);
                float dot = 0;
                for (Map.Entry<Long, Float> e : small.entrySet()) {
                    dot += e.getValue() * large.getOrDefault(e.getKey(), 0f);
                }
                out[i][j] = dot;
            }
        }
        return out;
    }

    /**
     * Each document's {@code k} nearest other documents by TF-IDF cosine (most similar first; fewer when fewer share
     * a token). Tokens found in more than a twentieth of the documents are left out of the search: they make the
     * inverted lists long and move cosines little, and without them the whole corpus is searched in seconds.
     */
    public int[][] neighbours(List<long[]> documents, int k) {
        int n = documents.size();
        int common = Math.max(1, n / 20);
        List<Map<Long, Float>> vectors = documents.stream().map(this::unitVector).toList();
        Map<Long, List<int[]>> postings = new HashMap<>(); // token -> (document, float bits of its weight)
        for (int d = 0; d < n; d++) {
            for (Map.Entry<Long, Float> e : vectors.get(d).entrySet()) {
                postings.computeIfAbsent(e.getKey(), t -> new java.util.ArrayList<>()).add(new int[] { d, Float.floatToIntBits(e.getValue()) });
            }
        }
        postings.values().removeIf(list -> list.size() > common);
        int[][] out = new int[n][];
        float[] score = new float[n];
        List<Integer> touched = new java.util.ArrayList<>();
        for (int d = 0; d < n; d++) {
            for (Map.Entry<Long, Float> e : vectors.get(d).entrySet()) {
                List<int[]> list = postings.get(e.getKey());
                if (list == null) {
                    continue;
                }
                for (int[] p : list) {
                    if (p[0] != d) {
                        if (score[p[0]] == 0) {
                            touched.add(p[0]);
                        }
                        score[p[0]] += e.getValue() * Float.intBitsToFloat(p[1]);
                    }
                }
            }
            final float[] sc = score;
            out[d] = touched.stream().sorted((a, b) -> a.equals(b) ? 0 : sc[b] != sc[a] ? Float.compare(sc[b], sc[a]) : Integer.compare(a, b))
                .limit(k).mapToInt(Integer::intValue).toArray();
            for (int t : touched) {
                score[t] = 0;
            }
            touched.clear();
        }
        return out;
    }

    /** (1 + ln tf) · idf per token, scaled to unit length (empty for an empty text). */
    Map<Long, Float> unitVector(long[] tokens) {
        Map<Long, Integer> tf = new HashMap<>();
        for (long t : tokens) {
            tf.merge(t, 1, Integer::sum);
        }
        Map<Long, Float> w = new HashMap<>();
        double norm = 0;
        for (Map.Entry<Long, Integer> e : tf.entrySet()) {
            float v = (float) ((1 + Math.log(e.getValue())) * idf(e.getKey()));
            w.put(e.getKey(), v);
            norm += v * v;
        }
        float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
        w.replaceAll((k, v) -> v * inv);
        return w;
    }
}
