package org.llmretriever.trainer.corpus;

import org.llmretriever.trainer.collection.CollectionChecks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A training corpus in memory: every usable document of a source, or a uniform sample of {@code maxDocs} of them
 * (reservoir sampling, seeded), so training can pick documents at random.
 */
public final class Corpus {
    private final List<Document> docs;
    private final CorpusStats stats;
    private final String description;

    private Corpus(List<Document> docs, CorpusStats stats, String description) {
        this.docs = Collections.unmodifiableList(docs);
        this.stats = stats;
        this.description = description;
    }

    /** Reads a source; keeps at most {@code maxDocs} (0 = all); fewer than two usable documents is refused. */
    public static Corpus load(CorpusSource source, int maxDocs, long seed) throws IOException {
        List<Document> kept = new ArrayList<>();
        Random rnd = new Random(seed);
        long[] seen = { 0 };
        source.read(d -> {
            seen[0]++;
            if (maxDocs <= 0 || kept.size() < maxDocs) {
                kept.add(d);
            } else {
                long j = (long) (rnd.nextDouble() * seen[0]);
                if (j < maxDocs) {
                    kept.set((int) j, d);
                }
            }
        });
        CollectionChecks.requireDocuments(source.describe(), seen[0], kept.isEmpty() ? null : kept.get(0).id(),
            "counting usable ones: " + source.stats());
        return new Corpus(kept, source.stats(), source.describe());
    }

    /** From documents directly (tests). */
    public static Corpus of(List<Document> docs) {
        return new Corpus(new ArrayList<>(docs), new CorpusStats(), "in-memory");
    }

    public List<Document> documents() {
        return docs;
    }

    public int size() {
        return docs.size();
    }

    public CorpusStats stats() {
        return stats;
    }

    public String description() {
        return description;
    }
}
