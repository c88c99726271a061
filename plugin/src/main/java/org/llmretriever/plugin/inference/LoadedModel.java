package org.llmretriever.plugin.inference;

import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.plugin.model.ModelDefinition;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model loaded (or loading, or failed) on this node, reference-counted: the registry holds one reference,
 * every in-flight request another. A DELETE or re-registration only drops the registry's reference, so the
 * native memory is freed when the last in-flight request ends — never under it.
 */
final class LoadedModel {
    enum State { LOADING, READY, FAILED }

    final ModelDefinition definition;
    final CompletableFuture<EncoderModel> future = new CompletableFuture<>();
    private final AtomicInteger refs = new AtomicInteger(1);
    volatile State state = State.LOADING;
    volatile String failure;
    volatile long memoryBytes;
    volatile String device = "";
    volatile String dtype = "";
    volatile long loadMillis;

    LoadedModel(ModelDefinition definition) {
        this.definition = definition;
    }

    /** Takes a reference unless the model is already released. */
    boolean tryAcquire() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a reference; the last one closes the model. */
    void release() {
        // A failed load has no model to close (and getNow would throw its failure).
        if (refs.decrementAndGet() == 0 && future.isDone() && !future.isCompletedExceptionally()) {
            future.join().close();
        }
    }
}
