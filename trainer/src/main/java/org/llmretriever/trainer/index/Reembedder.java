package org.llmretriever.trainer.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.trainer.client.SearchClient;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Puts an adapted model into service: registers it with the plugin ({@code --register}) and re-embeds an index
 * with it ({@code --reembed}) by reindexing into a fresh index through a copy of the index's pipeline that uses
 * the new model, then swapping the alias in one atomic request — searches keep hitting the complete old index
 * until the new one is complete.
 */
public final class Reembedder {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final Set<String> COPIED_INDEX_SETTINGS = Set.of("number_of_shards", "number_of_replicas", "knn", "analysis",
        "similarity", "refresh_interval", "max_result_window");

    private final SearchClient client;
    private final PrintStream out;

    /** Talks to the cluster through {@code client}; reports to {@code out}. */
    public Reembedder(SearchClient client, PrintStream out) {
        this.client = client;
        this.out = out;
    }

    /**
     * Copies {@code modelDir} into {@code modelsPath/<name>-<timestamp>} (the plugin reads only under its models
     * path) and registers it as {@code name} with {@code embedding} (pooling, prompts, max_tokens).
     */
    public JsonNode register(String name, Path modelDir, Path modelsPath, Map<String, Object> embedding) throws IOException {
        String folder = name + "-" + LocalDateTime.now().format(STAMP);
        Path target = modelsPath.resolve(folder);
        Files.createDirectories(modelsPath);
        FileTrees.copyTree(modelDir, target);
        Map<String, Object> body = new LinkedHashMap<>(embedding);
        body.put("path", folder);
        JsonNode r = client.put("/_plugins/_llm_retriever/models/" + name, body);
        out.println("registered model [" + name + "] from " + target + " (dimension " + r.path("dimension").asInt() + ", version "
            + r.path("version").asInt() + ")");
        return r;
    }

    /** Result of a re-embedding. */
    public record Result(String oldIndex, String newIndex, String alias, String pipeline, long documents) {}

    /**
     * Re-embeds {@code name} (an alias or a concrete index) with model {@code model}: new pipeline, new index with
     * the same mappings, {@code _reindex} through the pipeline (progress reported), then the alias swap. A
     * concrete index is replaced by an alias of the same name in the same atomic request.
     */
    public Result reembed(String name, String model, String pipelineOverride, LongConsumer progress) throws IOException {
        String oldIndex = resolveIndex(name);
        boolean isAlias = !oldIndex.equals(name);
        JsonNode settings = client.get("/" + oldIndex + "/_settings?flat_settings=false").path(oldIndex).path("settings").path("index");
        String pipeline = pipelineOverride != null ? pipelineOverride : settings.path("default_pipeline").asText(null);
        if (pipeline == null || pipeline.isBlank() || pipeline.equals("_none")) {
            throw new IOException("index " + oldIndex + " has no default_pipeline; pass --pipeline with the llm_embedding pipeline to copy");
        }
        JsonNode pipelineDef = client.get("/_ingest/pipeline/" + pipeline).path(pipeline);
        ObjectNode newPipeline = retarget(pipelineDef, model, pipeline);
        String stamp = LocalDateTime.now().format(STAMP);
        String newPipelineId = pipeline + "-" + model;
        client.put("/_ingest/pipeline/" + newPipelineId, newPipeline);
        String base = isAlias ? name : oldIndex;
        String newIndex = base + "-" + model + "-" + stamp;
        ObjectNode create = JSON.createObjectNode();
        ObjectNode idx = create.putObject("settings").putObject("index");
        for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (COPIED_INDEX_SETTINGS.contains(e.getKey())) {
                idx.set(e.getKey(), e.getValue());
            }
        }
        idx.put("default_pipeline", newPipelineId);
        create.set("mappings", client.get("/" + oldIndex + "/_mapping").path(oldIndex).path("mappings"));
        client.put("/" + newIndex, create);
        long total = client.get("/" + oldIndex + "/_count").path("count").asLong();
        out.println("re-embedding " + total + " documents of " + oldIndex + " into " + newIndex + " through pipeline " + newPipelineId + " ...");
        JsonNode task = client.post("/_reindex?wait_for_completion=false", Map.of(
            "source", Map.of("index", oldIndex),
            "dest", Map.of("index", newIndex, "pipeline", newPipelineId)));
        String taskId = task.path("task").asText();
        JsonNode status;
        while (true) {
            status = client.get("/_tasks/" + taskId);
            JsonNode st = status.path("task").path("status");
            progress.accept(st.path("created").asLong() + st.path("updated").asLong());
            if (status.path("completed").asBoolean()) {
                break;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while re-embedding; task " + taskId + " keeps running", e);
            }
        }
        JsonNode failures = status.path("response").path("failures");
        if (status.has("error") || (failures.isArray() && !failures.isEmpty())) {
            throw new IOException("re-embedding into " + newIndex + " failed (the alias was not switched): "
                + (status.has("error") ? status.path("error") : failures.get(0)));
        }
        client.post("/" + newIndex + "/_refresh", null);
        long copied = client.get("/" + newIndex + "/_count").path("count").asLong();
        if (copied != total) {
            throw new IOException(newIndex + " has " + copied + " documents, " + oldIndex + " had " + total + "; the alias was not switched");
        }
        List<Object> actions = new ArrayList<>();
        if (isAlias) {
            actions.add(Map.of("remove", Map.of("index", oldIndex, "alias", name)));
        } else {
            actions.add(Map.of("remove_index", Map.of("index", oldIndex)));
        }
        actions.add(Map.of("add", Map.of("index", newIndex, "alias", name)));
        client.post("/_aliases", Map.of("actions", actions));
        out.println("alias " + name + " now points to " + newIndex + (isAlias ? " (old index " + oldIndex + " kept)" : " (replaced index " + oldIndex + ")"));
        return new Result(oldIndex, newIndex, name, newPipelineId, copied);
    }

    /** The concrete index behind a name: itself, or an alias's (write) index. */
    private String resolveIndex(String name) throws IOException {
        JsonNode aliases;
        try {
            aliases = client.get("/_alias/" + name);
        } catch (SearchClient.HttpError e) {
            if (e.status() == 404) {
                if (!client.exists("/" + name)) {
                    throw new IOException("index or alias " + name + " does not exist");
                }
                return name;
            }
            throw e;
        }
        List<String> indices = new ArrayList<>();
        aliases.fieldNames().forEachRemaining(indices::add);
        if (indices.size() == 1) {
            return indices.get(0);
        }
        for (String i : indices) {
            if (aliases.path(i).path("aliases").path(name).path("is_write_index").asBoolean(false)) {
                return i;
            }
        }
        throw new IOException("alias " + name + " points to several indices " + indices + " and none is its write index");
    }

    /** A copy of a pipeline whose llm_embedding processors use {@code model} and always re-embed. */
    static ObjectNode retarget(JsonNode pipeline, String model, String id) throws IOException {
        if (pipeline.isMissingNode() || !pipeline.has("processors")) {
            throw new IOException("pipeline " + id + " does not exist or has no processors");
        }
        ObjectNode copy = pipeline.deepCopy();
        int changed = 0;
        for (JsonNode p : (ArrayNode) copy.get("processors")) {
            JsonNode e = p.get("llm_embedding");
            if (e instanceof ObjectNode o) {
                o.put("model", model);
                o.put("skip_existing", false);
                changed++;
            }
        }
        if (changed == 0) {
            throw new IOException("pipeline " + id + " has no llm_embedding processor to point at the new model");
        }
        copy.put("description", "re-embedding with " + model + " (copy of " + id + ")");
        return copy;
    }
}
