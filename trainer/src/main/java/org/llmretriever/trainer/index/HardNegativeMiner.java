package org.llmretriever.trainer.index;

import java.io.IOException;
import java.util.List;

/**
 * BM25 hard negatives: the top hits of a query view's text that are not its source document — lexically close,
 * so the model must learn more than word overlap. From the OpenSearch index being adapted
 * ({@link IndexNegativeMiner}) or, for file corpora, from an in-process Lucene index ({@link LuceneNegativeMiner}).
 */
public interface HardNegativeMiner extends AutoCloseable {
    /** Texts of up to {@code n} top BM25 hits for {@code queryText}, excluding document {@code sourceId}. */
    List<String> negatives(String queryText, String sourceId, int n) throws IOException;

    /** Releases what the miner holds (an in-process index); nothing by default. */
    @Override
    default void close() throws IOException {
    }
}
