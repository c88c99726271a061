package org.llmretriever.trainer.corpus;

import org.llmretriever.trainer.collection.TrecDocumentReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The documents of a TREC-style collection (the layouts {@link TrecDocumentReader} reads: {@code <DOC>} record
 * files, tarballs, directories, CACM's one file per document), title and text joined. Streamed: the collection is
 * never held in memory here ({@link Corpus} keeps at most its sample).
 */
public final class TrecCorpus implements CorpusSource {
    private final Path documents;
    private final CorpusStats stats = new CorpusStats();

    public TrecCorpus(Path documents) {
        this.documents = documents;
    }

    @Override
    public void read(Consumer<Document> sink) throws IOException {
        TrecDocumentReader.read(documents, (id, doc, origin) -> stats.offer(id, doc.contents(), sink));
    }

    @Override
    public CorpusStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return "TREC documents " + documents;
    }
}
