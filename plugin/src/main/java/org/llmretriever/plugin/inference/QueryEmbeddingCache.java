package org.llmretriever.plugin.inference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LRU cache of query embeddings keyed by model name, model version and text. A re-registered model gets a new
 * version, so stale vectors are never returned; they simply age out.
 */
public final class QueryEmbeddingCache {
    private volatile int capacity;
    private final LinkedHashMap<String, float[]> map = new LinkedHashMap<>(16, 0.75f, true);

    /** Holds at most {@code capacity} vectors (0 disables caching). */
    public QueryEmbeddingCache(int capacity) {
        this.capacity = capacity;
    }

    static String key(String model, long version, String kind, String text) {
        return model + '\u0000' + version + '\u0000' + kind + '\u0000' + text;
    }

    /** Cached vector or null. */
    public synchronized float[] get(String model, long version, String kind, String text) {
        return capacity == 0 ? null : map.get(key(model, version, kind, text));
    }

    /** Stores a vector. */
    public synchronized void put(String model, long version, String kind, String text, float[] vector) {
        if (capacity == 0) {
            return;
        }
        map.put(key(model, version, kind, text), vector);
        while (map.size() > capacity) {
            Map.Entry<String, float[]> eldest = map.entrySet().iterator().next();
            map.remove(eldest.getKey());
        }
    }

    /** Changes the capacity (dynamic setting). */
    public synchronized void setCapacity(int c) {
        capacity = c;
        while (map.size() > c) {
            map.remove(map.keySet().iterator().next());
        }
    }

    /** Entries now cached. */
    public synchronized int size() {
        return map.size();
    }
}
