package org.llmretriever.trainer.index;

import org.junit.Test;
import org.llmretriever.trainer.corpus.Document;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

public class LuceneNegativeMinerTest {
    private static final List<Document> DOCS = List.of(
        new Document("d1", "Feedback amplifiers are stable when the loop gain margin is positive."),
        new Document("d2", "The stability of feedback amplifiers depends on the loop gain and phase."),
        new Document("d3", "Fisheries policy sets quotas for cod and herring in the North Sea."),
        new Document("d4", "Amplifier noise figures for low-frequency circuits."));

    @Test
    public void returnsTheLexicallyClosestOtherDocumentsByBm25() throws Exception {
        try (LuceneNegativeMiner miner = new LuceneNegativeMiner(DOCS)) {
            List<String> negatives = miner.negatives("stability of feedback amplifiers loop gain", "d2", 2);
            assertEquals(2, negatives.size());
            assertEquals("the view's own document is never a negative; d1 shares most terms", DOCS.get(0).text(), negatives.get(0));
            assertEquals("stemming matches amplifier/amplifiers", DOCS.get(3).text(), negatives.get(1));
        }
    }

    @Test
    public void aQueryWithoutIndexedTermsFindsNothing() throws Exception {
        try (LuceneNegativeMiner miner = new LuceneNegativeMiner(DOCS)) {
            assertTrue(miner.negatives("the of and", "d1", 3).isEmpty());
            assertTrue(miner.negatives("", "d1", 3).isEmpty());
        }
    }
}
