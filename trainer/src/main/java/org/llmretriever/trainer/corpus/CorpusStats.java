package org.llmretriever.trainer.corpus;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** What reading a corpus found: documents used and documents skipped (and why). Never fatal. */
public final class CorpusStats {
    final AtomicLong read = new AtomicLong();
    final AtomicLong used = new AtomicLong();
    final AtomicLong skippedEmpty = new AtomicLong();
    final AtomicLong skippedNonText = new AtomicLong();
    final AtomicLong skippedMalformed = new AtomicLong();

    /** Documents read from the source. */
    public long read() {
        return read.get();
    }

    /** Documents with usable text. */
    public long used() {
        return used.get();
    }

    /** Documents whose configured fields were missing or blank. */
    public long skippedEmpty() {
        return skippedEmpty.get();
    }

    /** Documents whose configured fields held no string (numbers, objects). */
    public long skippedNonText() {
        return skippedNonText.get();
    }

    /** Lines that were not JSON objects. */
    public long skippedMalformed() {
        return skippedMalformed.get();
    }

    /** Counts a document of a collection reader and passes it to {@code sink} unless its text is blank. */
    void offer(String id, String text, Consumer<Document> sink) {
        read.incrementAndGet();
        if (text == null || text.isBlank()) {
            skippedEmpty.incrementAndGet();
            return;
        }
        used.incrementAndGet();
        sink.accept(new Document(id, text));
    }

    @Override
    public String toString() {
        return read() + " read, " + used() + " used, skipped: " + skippedEmpty() + " empty, " + skippedNonText() + " non-text, "
            + skippedMalformed() + " malformed";
    }
}
