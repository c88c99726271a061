package org.llmretriever.trainer.corpus;

import org.llmretriever.eval.Dataset;
import org.llmretriever.eval.TrecLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/** The documents of a TREC-style collection such as CACM (a {@code .tar.gz} or a directory), title and text joined. */
public final class TrecCorpus implements CorpusSource {
    private final Path documents;
    private final CorpusStats stats = new CorpusStats();

    public TrecCorpus(Path documents) {
        this.documents = documents;
    }

    @Override
    public void read(Consumer<Document> sink) throws IOException {
        for (Map.Entry<String, Dataset.Doc> e : TrecLoader.loadDocuments(documents).entrySet()) {
            stats.read.incrementAndGet();
            String text = e.getValue().contents();
            if (text == null || text.isBlank()) {
                stats.skippedEmpty.incrementAndGet();
                continue;
            }
            stats.used.incrementAndGet();
            sink.accept(new Document(e.getKey(), text));
        }
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
