package org.llmretriever.trainer.objective;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A FIFO of passage embeddings from earlier training steps, kept as extra negatives (MoCo's memory bank without a
 * momentum encoder): more negatives per step than one micro-batch holds, at the cost of embeddings a few steps stale.
 * Each entry remembers its document so that a document's earlier view is never a negative of its own query view.
 */
public final class NegativeQueue {
    private final int capacity;
    private final ArrayDeque<float[]> rows = new ArrayDeque<>();
    private final ArrayDeque<Integer> docs = new ArrayDeque<>();

    /** A queue holding at most {@code capacity} embeddings (0 = always empty). */
    public NegativeQueue(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("queue capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Appends one step's embeddings {@code [B][D]} of documents {@code docIds}, dropping the oldest beyond capacity. */
    public void add(List<Integer> docIds, float[][] embeddings) {
        if (docIds.size() != embeddings.length) {
            throw new IllegalArgumentException(docIds.size() + " document ids for " + embeddings.length + " embeddings");
        }
        if (capacity == 0) {
            return;
        }
        for (int i = 0; i < embeddings.length; i++) {
            rows.addLast(Arrays.copyOf(embeddings[i], embeddings[i].length));
            docs.addLast(docIds.get(i));
        }
        while (rows.size() > capacity) {
            rows.removeFirst();
            docs.removeFirst();
        }
    }

    /** The queued embeddings, oldest first, except those of {@code excluded} documents. */
    public List<float[]> negatives(Set<Integer> excluded) {
        List<float[]> out = new ArrayList<>(rows.size());
        Iterator<Integer> d = docs.iterator();
        for (float[] row : rows) {
            if (!excluded.contains(d.next())) {
                out.add(row);
            }
        }
        return out;
    }

    /** Number of embeddings held. */
    public int size() {
        return rows.size();
    }
}
