package org.llmretriever.plugin.processor;

import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.plugin.action.EmbedAction;
import org.llmretriever.plugin.inference.EmbedResult;
import org.llmretriever.plugin.mapping.TargetMappings;
import org.llmretriever.plugin.model.ModelDefinition;
import org.llmretriever.plugin.model.ModelsMetadata;
import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.ExceptionsHelper;
import org.opensearch.OpenSearchStatusException;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.service.ClusterService;
import org.opensearch.core.action.ActionListener;
import org.opensearch.core.rest.RestStatus;
import org.opensearch.gateway.GatewayService;
import org.opensearch.ingest.AbstractBatchingProcessor;
import org.opensearch.ingest.ConfigurationUtils;
import org.opensearch.ingest.IngestDocument;
import org.opensearch.ingest.IngestDocumentWrapper;
import org.opensearch.transport.client.Client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Ingest processor {@code llm_embedding}: embeds source fields with a registered model into {@code knn_vector}
 * fields. OpenSearch hands it a bulk request's documents as a batch; each sub-batch of {@code batch_size}
 * documents becomes one embedding call (padded, length-bucketed forward passes), not a loop over texts. A
 * problem with one document (missing field, non-string value, over-long text under {@code fail}, dimension
 * mismatch, list into a non-nested target) fails that document only, with a message naming field and model.
 */
public final class LlmEmbeddingProcessor extends AbstractBatchingProcessor {
    /** Processor type in pipeline definitions. */
    public static final String TYPE = "llm_embedding";
    /** Documents per embedding call when the pipeline does not set {@code batch_size}. */
    public static final int DEFAULT_BATCH_SIZE = 32;
    private static final String MODEL_FIELD = "model";

    private final String model;
    private final Map<String, String> fieldMap;
    private final Kind kind;
    private final boolean skipExisting;
    private final boolean ignoreMissing;
    private final EncoderOptions.Truncation onTruncation;
    private final Client client;
    private final ClusterService clusterService;

    LlmEmbeddingProcessor(String tag, String description, int batchSize, String model, Map<String, String> fieldMap, Kind kind,
                          boolean skipExisting, boolean ignoreMissing, EncoderOptions.Truncation onTruncation, Client client,
                          ClusterService clusterService) {
        super(tag, description, batchSize);
        this.model = model;
        this.fieldMap = fieldMap;
        this.kind = kind;
        this.skipExisting = skipExisting;
        this.ignoreMissing = ignoreMissing;
        this.onTruncation = onTruncation;
        this.client = client;
        this.clusterService = clusterService;
    }

    /**
     * The model a processor entry of a stored pipeline ({@code "<type>": {config}}) names when it is an
     * {@code llm_embedding} processor; null for any other processor. Lets the registry find a model's users
     * without knowing this processor's configuration.
     */
    public static String modelOf(Object type, Object config) {
        return TYPE.equals(type) && config instanceof Map<?, ?> cfg && cfg.get(MODEL_FIELD) instanceof String m ? m : null;
    }

    @Override
    public String getType() {
        return TYPE;
    }

    @Override
    public IngestDocument execute(IngestDocument ingestDocument) {
        throw new UnsupportedOperationException("llm_embedding runs asynchronously; OpenSearch calls execute(document, handler)");
    }

    @Override
    public void execute(IngestDocument document, BiConsumer<IngestDocument, Exception> handler) {
        subBatchExecute(List.of(new IngestDocumentWrapper(0, 0, document, null)), results -> {
            IngestDocumentWrapper r = results.get(0);
            handler.accept(r.getException() == null ? r.getIngestDocument() : null, r.getException());
        });
    }

    /** One text to embed and where its vector goes. */
    private record Job(int doc, String source, String target, int listIndex, int listSize, String nestedPath, String innerField) {}

    @Override
    protected void subBatchExecute(List<IngestDocumentWrapper> docs, Consumer<List<IngestDocumentWrapper>> handler) {
        ModelDefinition def = ModelsMetadata.of(clusterService.state().metadata()).models().get(model);
        if (def == null) {
            for (IngestDocumentWrapper w : docs) {
                fail(w, "model [" + model + "] is not registered");
            }
            handler.accept(docs);
            return;
        }
        List<Job> jobs = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            IngestDocumentWrapper w = docs.get(d);
            if (w.getException() != null || w.getIngestDocument() == null) {
                continue;
            }
            try {
                collect(d, w.getIngestDocument(), def, jobs, texts);
            } catch (IllegalArgumentException e) {
                fail(w, e.getMessage());
            }
        }
        // Drop the jobs of documents that failed while collecting a later field.
        List<Job> live = new ArrayList<>();
        List<String> liveTexts = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (docs.get(jobs.get(i).doc()).getException() == null) {
                live.add(jobs.get(i));
                liveTexts.add(texts.get(i));
            }
        }
        if (live.isEmpty()) {
            handler.accept(docs);
            return;
        }
        client.execute(EmbedAction.INSTANCE, new EmbedAction.Request(model, liveTexts, kind, onTruncation, false),
            ActionListener.wrap(r -> {
                apply(docs, live, r.result());
                handler.accept(docs);
            }, e -> {
                // Keep the cause's status: a full inference queue must stay a 429 that bulk clients retry.
                Throwable cause = ExceptionsHelper.unwrapCause(e);
                RestStatus status = ExceptionsHelper.status(cause);
                for (Job j : live) {
                    fail(docs.get(j.doc()), "embedding with model [" + model + "] failed: " + cause.getMessage(), status);
                }
                handler.accept(docs);
            }));
    }

    private void collect(int d, IngestDocument doc, ModelDefinition def, List<Job> jobs, List<String> texts) {
        String index = doc.getSourceAndMetadata().get(IngestDocument.Metadata.INDEX.getFieldName()) instanceof String s ? s : null;
        ClusterState state = clusterService.state();
        for (Map.Entry<String, String> e : fieldMap.entrySet()) {
            String source = e.getKey();
            String target = e.getValue();
            if (!doc.hasField(source, true)) {
                if (ignoreMissing) {
                    continue;
                }
                throw new IllegalArgumentException("field [" + source + "] (llm_embedding with model [" + model + "]) is missing from the document");
            }
            if (skipExisting && doc.hasField(target, true)) {
                continue;
            }
            Object value = doc.getFieldValue(source, Object.class, true);
            if (value == null) {
                if (ignoreMissing) {
                    continue;
                }
                throw new IllegalArgumentException("field [" + source + "] (llm_embedding with model [" + model + "]) is null");
            }
            if (value instanceof String blank && blank.isBlank() && ignoreMissing) {
                continue; // no text to embed counts as missing
            }
            TargetMappings tm = TargetMappings.lookup(state.metadata(), index, target);
            if (value instanceof String s) {
                checkTarget(tm, target, def);
                jobs.add(new Job(d, source, target, -1, 0, null, null));
                texts.add(s);
            } else if (value instanceof List<?> list) {
                if (tm.nestedPath() == null) {
                    throw new IllegalArgumentException("field [" + source + "] holds a list; a list of strings needs a target inside a nested field "
                        + "(e.g. 'chunks.vector' with 'chunks' mapped as nested), but [" + target + "] of index [" + index + "] is "
                        + (tm.known() ? "not inside a nested field" : "not mapped") + " (model [" + model + "])");
                }
                checkTarget(tm, target, def);
                String inner = target.substring(tm.nestedPath().length() + 1);
                for (int i = 0; i < list.size(); i++) {
                    if (!(list.get(i) instanceof String s)) {
                        throw new IllegalArgumentException("field [" + source + "][" + i + "] must be a string for llm_embedding with model ["
                            + model + "], got " + describe(list.get(i)));
                    }
                    jobs.add(new Job(d, source, target, i, list.size(), tm.nestedPath(), inner));
                    texts.add(s);
                }
            } else {
                throw new IllegalArgumentException("field [" + source + "] must be a string or a list of strings for llm_embedding with model ["
                    + model + "], got " + describe(value));
            }
        }
    }

    private void checkTarget(TargetMappings tm, String target, ModelDefinition def) {
        if (!tm.known()) {
            return; // unmapped yet: k-NN validates when indexing
        }
        if (!"knn_vector".equals(tm.type())) {
            throw new IllegalArgumentException("target field [" + target + "] is mapped as [" + tm.type() + "], not knn_vector (model [" + model + "])");
        }
        if (tm.dimension() != 0 && tm.dimension() != def.dimension()) {
            throw new IllegalArgumentException("target field [" + target + "] has dimension " + tm.dimension() + " but model [" + model
                + "] produces " + def.dimension() + "-dimensional vectors");
        }
    }

    private static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "a " + v.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " (" + v + ")";
    }

    @SuppressWarnings("unchecked")
    private void apply(List<IngestDocumentWrapper> docs, List<Job> jobs, EmbedResult r) {
        // Per document: nested targets are rebuilt as lists of objects; the first failing text fails the document.
        Map<Integer, Map<String, List<Object>>> nestedOut = new LinkedHashMap<>();
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            IngestDocumentWrapper w = docs.get(j.doc());
            if (w.getException() != null) {
                continue;
            }
            if (r.vector(i) == null) {
                fail(w, "field [" + j.source() + "]" + (j.listIndex() >= 0 ? "[" + j.listIndex() + "]" : "") + " (model [" + model + "]): " + r.error(i));
                continue;
            }
            List<Float> vector = new ArrayList<>(r.vector(i).length);
            for (float f : r.vector(i)) {
                vector.add(f);
            }
            if (j.nestedPath() == null) {
                w.getIngestDocument().setFieldValue(j.target(), vector);
            } else {
                List<Object> items = nestedOut.computeIfAbsent(j.doc(), x -> new LinkedHashMap<>())
                    .computeIfAbsent(j.nestedPath() + "\u0000" + j.innerField(), x -> new ArrayList<>());
                Map<String, Object> item = new LinkedHashMap<>();
                item.put(j.innerField(), vector);
                items.add(item);
            }
        }
        for (Map.Entry<Integer, Map<String, List<Object>>> d : nestedOut.entrySet()) {
            IngestDocumentWrapper w = docs.get(d.getKey());
            if (w.getException() != null) {
                continue;
            }
            for (Map.Entry<String, List<Object>> e : d.getValue().entrySet()) {
                String nestedPath = e.getKey().substring(0, e.getKey().indexOf('\u0000'));
                w.getIngestDocument().setFieldValue(nestedPath, e.getValue());
            }
        }
    }

    private static void fail(IngestDocumentWrapper w, String message) {
        w.update(w.getIngestDocument(), new IllegalArgumentException("llm_embedding: " + message));
    }

    /** Fails a document with the status of the cause (e.g. 429 for a full inference queue, which clients retry). */
    private static void fail(IngestDocumentWrapper w, String message, RestStatus status) {
        w.update(w.getIngestDocument(), new OpenSearchStatusException("llm_embedding: " + message, status));
    }

    /** Creates processors from pipeline definitions. */
    public static final class Factory extends AbstractBatchingProcessor.Factory {
        private final Client client;
        private final ClusterService clusterService;

        /** With the node client (embedding calls) and cluster service (registry, mappings). */
        public Factory(Client client, ClusterService clusterService) {
            super(TYPE);
            this.client = client;
            this.clusterService = clusterService;
        }

        /** Batches of 32 documents unless {@code batch_size} says otherwise (core's default would be 1). */
        @Override
        public AbstractBatchingProcessor create(Map<String, org.opensearch.ingest.Processor.Factory> factories, String tag, String description,
                                                Map<String, Object> config) throws Exception {
            config.putIfAbsent(BATCH_SIZE_FIELD, DEFAULT_BATCH_SIZE);
            return super.create(factories, tag, description, config);
        }

        @Override
        protected AbstractBatchingProcessor newProcessor(String tag, String description, int batchSize, Map<String, Object> config) {
            String model = ConfigurationUtils.readStringProperty(TYPE, tag, config, MODEL_FIELD);
            int maxTexts = clusterService.getClusterSettings().get(LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST);
            if (batchSize > maxTexts) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, BATCH_SIZE_FIELD, "must be at most " + maxTexts
                    + " (" + LlmRetrieverSettings.MAX_TEXTS_PER_REQUEST.getKey() + "), got " + batchSize);
            }
            Map<String, Object> rawMap = ConfigurationUtils.readMap(TYPE, tag, config, "field_map");
            if (rawMap.isEmpty()) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "field_map", "must map at least one source field to a target field");
            }
            Map<String, String> fieldMap = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : rawMap.entrySet()) {
                if (e.getKey().isBlank()) {
                    throw ConfigurationUtils.newConfigurationException(TYPE, tag, "field_map", "source field names must not be empty");
                }
                if (!(e.getValue() instanceof String t) || t.isBlank()) {
                    throw ConfigurationUtils.newConfigurationException(TYPE, tag, "field_map",
                        "target of [" + e.getKey() + "] must be a field name (a string)");
                }
                fieldMap.put(e.getKey(), t);
            }
            Kind kind;
            EncoderOptions.Truncation truncation;
            try {
                kind = Kind.parse(ConfigurationUtils.readStringProperty(TYPE, tag, config, "kind", "passage"));
                truncation = EncoderOptions.Truncation.parse(ConfigurationUtils.readStringProperty(TYPE, tag, config, "on_truncation", "truncate"));
            } catch (IllegalArgumentException e) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "kind/on_truncation", e.getMessage());
            }
            boolean skipExisting = ConfigurationUtils.readBooleanProperty(TYPE, tag, config, "skip_existing", false);
            boolean ignoreMissing = ConfigurationUtils.readBooleanProperty(TYPE, tag, config, "ignore_missing", false);
            ClusterState state = clusterService.state();
            boolean settled = !state.blocks().hasGlobalBlock(GatewayService.STATE_NOT_RECOVERED_BLOCK)
                && state.nodes().getClusterManagerNodeId() != null;
            // While a node recovers or joins, pipelines are rebuilt from a state that may not show the models yet.
            if (settled && !ModelsMetadata.of(state.metadata()).models().containsKey(model)) {
                throw ConfigurationUtils.newConfigurationException(TYPE, tag, "model",
                    "model [" + model + "] is not registered (register it with PUT /_plugins/_llm_retriever/models/" + model + ")");
            }
            return new LlmEmbeddingProcessor(tag, description, batchSize, model, fieldMap, kind, skipExisting, ignoreMissing, truncation,
                client, clusterService);
        }
    }
}
