package org.llmretriever.trainer.corpus;

import org.llmretriever.trainer.collection.MsMarcoLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The passages of an MS MARCO-style {@code collection.tsv} ({@code id<TAB>text}), streamed line by line. */
public final class MsMarcoCorpus implements CorpusSource {
    private final Path dir;
    private final CorpusStats stats = new CorpusStats();

    /** {@code dir} holds {@code collection.tsv} (or {@code .tsv.gz}). */
    public MsMarcoCorpus(Path dir) {
        this.dir = dir;
    }

    @Override
    public void read(Consumer<Document> sink) throws IOException {
        MsMarcoLoader.readCollection(MsMarcoLoader.collection(dir), (id, doc, origin) -> stats.offer(id, doc.contents(), sink));
    }

    @Override
    public CorpusStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return "MS MARCO collection in " + dir;
    }
}
