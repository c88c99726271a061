package org.llmretriever.plugin.inference;

import org.opensearch.test.OpenSearchTestCase;

/** LRU eviction, version keying and resizing of the query-vector cache. */
public class QueryEmbeddingCacheTests extends OpenSearchTestCase {
    public void testLruAndVersions() {
        QueryEmbeddingCache c = new QueryEmbeddingCache(2);
        float[] a = { 1 };
        float[] b = { 2 };
        float[] d = { 3 };
        c.put("m", 1, "QUERY", "a", a);
        c.put("m", 1, "QUERY", "b", b);
        assertSame(a, c.get("m", 1, "QUERY", "a")); // a is now most recently used
        c.put("m", 1, "QUERY", "d", d);             // evicts b
        assertNull(c.get("m", 1, "QUERY", "b"));
        assertSame(a, c.get("m", 1, "QUERY", "a"));
        assertSame(d, c.get("m", 1, "QUERY", "d"));
        assertNull("a new model version never sees old vectors", c.get("m", 2, "QUERY", "a"));
        assertNull(c.get("other", 1, "QUERY", "a"));
        assertNull(c.get("m", 1, "PASSAGE", "a"));
        c.setCapacity(1);
        assertEquals(1, c.size());
        c.setCapacity(0);
        c.put("m", 1, "QUERY", "z", a);
        assertNull(c.get("m", 1, "QUERY", "z"));
        assertEquals(0, c.size());
    }
}
