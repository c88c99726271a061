package org.llmretriever.yamlrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.llmretriever.node.LocalHttp;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sends every kind of bad input we can think of to every entry point of the plugin: wrong types and invalid
 * values for each parameter (model definitions, {@code _embed}, the {@code llm_embedding} processor, the
 * {@code llm_knn} and {@code hybrid_rrf} queries), malformed bodies, bad names and paths, huge texts and damaged
 * checkpoints. Each case expects a 4xx with a reason, or at least no server error where a value may be fine.
 */
final class BadInputSweep {
    /** Sends one request to a node. */
    interface Sender {
        LocalHttp.Response send(int node, String method, String path, String body) throws IOException;
    }

    private enum Expect { REJECT, NO_SERVER_ERROR }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODELS = "/_plugins/_llm_retriever/models/";
    private static final Object NULL = new Object(); // a JSON null (Map.of refuses null values)
    private static final String HUGE = "word ".repeat(200_000); // 1 MB

    private final Sender sender;
    private final String searchPath;
    private final Map<String, Map<String, Integer>> byCategory = new TreeMap<>();
    private final List<String> serverErrors = new ArrayList<>();
    private final List<String> missingReasons = new ArrayList<>();
    private final List<String> wronglyAccepted = new ArrayList<>();
    private int requests;
    private int node;

    /**
     * @param index  an index with a {@code text} field, a {@code run} keyword and a {@code v} knn_vector field
     * @param sender sends the requests
     */
    BadInputSweep(String index, Sender sender) {
        this.sender = sender;
        this.searchPath = "/" + index + "/_search";
    }

    List<String> serverErrors() {
        return serverErrors;
    }

    List<String> missingReasons() {
        return missingReasons;
    }

    List<String> wronglyAccepted() {
        return wronglyAccepted;
    }

    /** Runs every case, alternating between the given nodes (the data node routes, the inference node embeds). */
    void run(int... nodes) throws IOException {
        for (int n : nodes) {
            node = n;
            modelDefinitions();
            embedRequests();
            processorConfigs();
            knnQueries();
            hybridQueries();
            malformedBodies();
            namesAndRoutes();
            damagedCheckpoints();
        }
    }

    /** Counts per category and status, for the report. */
    ObjectNode summary(ObjectMapper json) {
        ObjectNode out = json.createObjectNode();
        out.put("requests", requests);
        out.put("server_errors", serverErrors.size());
        out.put("rejections_without_reason", missingReasons.size());
        out.set("by_category_and_status", json.valueToTree(byCategory));
        return out;
    }

    // ---- cases --------------------------------------------------------------------------------------------

    private void modelDefinitions() throws IOException {
        Map<String, Object> base = Map.of("path", "tiny-llama");
        Object[] notString = { 123, true, Map.of("a", 1), List.of(1) };
        Object[] notBool = { "maybe", 1, Map.of(), List.of() };
        Object[] notInt = { "many", 2.5, true, Map.of(), 1e12 };
        sweepField("model definition", "PUT", MODELS + "sweep", base, "path", concat(notString,
            "", "does-not-exist", "../outside", "/etc", "escape", "tiny-llama/../../outside", "file:///etc/passwd", "tiny-llama\u0000", HUGE));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "pooling", concat(notString, "", "max", "suffix_mean:-1", "suffix_mean:x"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "normalize", notBool);
        sweepField("model definition", "PUT", MODELS + "sweep", base, "max_tokens", concat(notInt, -1, 0, 1, 200_000));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "query_prompt", concat(notString, "{text} and {text}"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "passage_prompt", concat(notString, "{text} and {text}"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "dtype", concat(notString, "int4", "float64"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "device", concat(notString, "tpu", "gpu:x"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "adapter", concat(notString, "no-such-adapter", "../outside"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "attention", concat(notString, "", "sideways"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "preset", concat(notString, "", "bge-m3", "E5-MISTRAL"));
        sweepField("model definition", "PUT", MODELS + "sweep", base, "path", "unsupported-layer-types"); // config key we do not implement
        sweepField("model definition", "PUT", MODELS + "sweep", base, "bogus", 1, "x");
        tolerate("model definition", "PUT", MODELS + "sweep", json(with(base, "normalize", NULL))); // null: the default
    }

    private void embedRequests() throws IOException {
        Map<String, Object> base = Map.of("texts", List.of("hello"));
        Object[] notString = { 1, true, Map.of(), List.of() };
        String embed = MODELS + "m/_embed";
        sweepField("_embed", "POST", embed, base, "texts",
            "hello", 123, true, Map.of(), List.of(), List.of(1), Arrays.asList("a", null), Map.of("a", "b"), NULL,
            java.util.Collections.nCopies(2000, "too many texts"));
        sweepField("_embed", "POST", embed, base, "kind", concat(notString, "both", ""));
        sweepField("_embed", "POST", embed, base, "on_truncation", concat(notString, "explode", ""));
        sweepField("_embed", "POST", embed, base, "bogus", 1);
        expect(Expect.REJECT, "_embed", "POST", MODELS + "no-such-model/_embed", json(base));
        // huge and odd texts are served (truncated), never a server error
        tolerate("_embed", "POST", embed, json(Map.of("texts", List.of(HUGE.repeat(5)))));
        tolerate("_embed", "POST", embed, json(Map.of("texts", List.of("", " ", "\u0000\u0001", "\uD83D\uDE00".repeat(1000)))));
        tolerate("_embed", "POST", embed, json(Map.of("texts", List.of(HUGE), "on_truncation", "fail")));
    }

    private void processorConfigs() throws IOException {
        Map<String, Object> proc = Map.of("model", "m", "field_map", Map.of("text", "v"));
        Object[] notString = { 1, true, Map.of(), List.of() };
        Object[] notBool = { "maybe", 3, Map.of() };
        sweepProcessor("model", concat(notString, "", "no-such-model"), proc);
        sweepProcessor("field_map", new Object[] { "text", List.of(), Map.of(), Map.of("text", 5), Map.of("", "v"), Map.of("text", ""), NULL }, proc);
        sweepProcessor("kind", concat(notString, "both"), proc);
        sweepProcessor("on_truncation", concat(notString, "explode"), proc);
        sweepProcessor("batch_size", new Object[] { "many", 0, -1, 2.5, Map.of(), 1_000_000 }, proc);
        sweepProcessor("skip_existing", notBool, proc);
        sweepProcessor("ignore_missing", notBool, proc);
        sweepProcessor("bogus", new Object[] { 1 }, proc);
    }

    private void knnQueries() throws IOException {
        Map<String, Object> knn = Map.of("query_text", "cats", "model", "m", "k", 3);
        Object[] notString = { 1, true, Map.of(), List.of() };
        sweepKnn("query_text", concat(notString, "", NULL), knn);
        sweepKnn("model", concat(notString, "", "no-such-model"), knn);
        sweepKnn("k", new Object[] { "three", 2.5, 0, -3, 100_000, Map.of(), true }, knn);
        sweepKnn("filter", new Object[] { "text", 5, List.of(), Map.of("no_such_query", Map.of()) }, knn);
        sweepKnn("min_score", new Object[] { "x", Map.of(), List.of() }, knn);
        sweepKnn("max_distance", new Object[] { "x", Map.of(), List.of() }, knn);
        sweepKnn("bogus", new Object[] { 1 }, knn);
        for (String field : List.of("text", "no_such_field", "run")) { // not a knn_vector field
            expect(Expect.REJECT, "llm_knn", "POST", searchPath, json(Map.of("query", Map.of("llm_knn", Map.of(field, knn)))));
        }
        expect(Expect.REJECT, "llm_knn", "POST", searchPath,
            json(Map.of("query", Map.of("llm_knn", Map.of("v", knn, "v2", knn)))));
        tolerate("llm_knn", "POST", searchPath, json(Map.of("query", Map.of("llm_knn", Map.of("v", with(knn, "query_text", HUGE))))));
    }

    private void hybridQueries() throws IOException {
        List<Object> two = List.of(Map.of("match", Map.of("text", "cats")),
            Map.of("llm_knn", Map.of("v", Map.of("query_text", "cats", "model", "m", "k", 3))));
        Map<String, Object> base = Map.of("queries", two);
        for (Object bad : new Object[] { "x", List.of(), List.of(1), Map.of(), List.of(Map.of("no_such_query", Map.of())) }) {
            expect(Expect.REJECT, "hybrid_rrf", "POST", searchPath, hybrid(with(base, "queries", bad)));
        }
        for (Object bad : new Object[] { -1, 0, "x", Map.of(), 2.5 }) {
            expect(Expect.REJECT, "hybrid_rrf", "POST", searchPath, hybrid(with(base, "rank_constant", bad)));
        }
        for (Object bad : new Object[] { 0, -5, List.of(0, 1), List.of(1, 2, 3), "x", Map.of() }) {
            expect(Expect.REJECT, "hybrid_rrf", "POST", searchPath, hybrid(with(base, "window_size", bad)));
        }
        for (Object bad : new Object[] { List.of(1), List.of(-1, 1), List.of("a", "b"), "x", 3 }) {
            expect(Expect.REJECT, "hybrid_rrf", "POST", searchPath, hybrid(with(base, "weights", bad)));
        }
        expect(Expect.REJECT, "hybrid_rrf", "POST", searchPath, hybrid(with(base, "bogus", 1)));
    }

    private void malformedBodies() throws IOException {
        String[] bodies = { "", "{", "not json", "[1, 2]", "{\"a\": }", "{\"texts\": [\"a\"", "\u0000\u0001", "[".repeat(5000),
            "{\"a\":".repeat(5000), "{\"texts\": [\"a\"], \"texts\": [\"b\"]}" };
        String[][] endpoints = { { "PUT", MODELS + "sweep" }, { "POST", MODELS + "m/_embed" }, { "PUT", "/_ingest/pipeline/sweep" },
            { "POST", searchPath } };
        for (String[] e : endpoints) {
            for (String b : bodies) {
                if (b.isEmpty() && e[1].endsWith("/_search")) {
                    continue; // an empty search body is a valid match_all
                }
                expect(Expect.REJECT, "malformed body", e[0], e[1], b);
            }
        }
    }

    private void namesAndRoutes() throws IOException {
        String def = json(Map.of("path", "tiny-llama"));
        for (String name : List.of("UPPER", "_leading", "a%2Fb", "a%20b", "x".repeat(300), "..", "%00")) {
            expect(Expect.REJECT, "model names", "PUT", MODELS + name, def);
        }
        expect(Expect.REJECT, "model names", "GET", MODELS + "no-such-model", null);
        expect(Expect.REJECT, "model names", "DELETE", MODELS + "no-such-model", null);
        expect(Expect.REJECT, "model names", "POST", MODELS + "no-such-model/_load", null);
        expect(Expect.REJECT, "model names", "DELETE", MODELS + "m?force=maybe", null);
        expect(Expect.REJECT, "model names", "POST", MODELS + "m", def); // no such method on a model
        expect(Expect.REJECT, "model names", "PUT", "/_plugins/_llm_retriever/stats", def);
    }

    private void damagedCheckpoints() throws IOException {
        for (String path : TestModels.CORRUPTED) {
            String name = "c-" + path;
            LocalHttp.Response put = send("damaged checkpoints", "PUT", MODELS + name, json(Map.of("path", path)));
            if (put.status() >= 400) {
                checkRejection("damaged checkpoints", "PUT " + path, put);
                continue;
            }
            expect(Expect.REJECT, "damaged checkpoints", "POST", MODELS + name + "/_embed", json(Map.of("texts", List.of("hello"))));
            LocalHttp.Response load = send("damaged checkpoints", "POST", MODELS + name + "/_load", null);
            JsonNode states = read(load.body()).path("nodes");
            for (JsonNode n : states) {
                JsonNode m = n.path("models").path(name);
                if (!"failed".equals(m.path("state").asText()) || m.path("reason").asText("").isBlank()) {
                    wronglyAccepted.add("_load of damaged " + path + " -> " + m);
                }
            }
            send("damaged checkpoints", "DELETE", MODELS + name, null);
        }
    }

    // ---- machinery ----------------------------------------------------------------------------------------

    private void sweepField(String category, String method, String path, Map<String, Object> base, String field, Object... values)
        throws IOException {
        for (Object v : values) {
            expect(v == NULL ? Expect.NO_SERVER_ERROR : Expect.REJECT, category, method, path, json(with(base, field, v)));
        }
    }

    private void sweepProcessor(String field, Object[] values, Map<String, Object> proc) throws IOException {
        for (Object v : values) {
            String body = json(Map.of("processors", List.of(Map.of("llm_embedding", with(proc, field, v)))));
            expect(v == NULL && !field.equals("field_map") ? Expect.NO_SERVER_ERROR : Expect.REJECT,
                "llm_embedding processor", "PUT", "/_ingest/pipeline/sweep", body);
        }
    }

    private void sweepKnn(String field, Object[] values, Map<String, Object> knn) throws IOException {
        for (Object v : values) {
            String body = json(Map.of("query", Map.of("llm_knn", Map.of("v", with(knn, field, v)))));
            expect(Expect.REJECT, "llm_knn", "POST", searchPath, body);
        }
    }

    private static String hybrid(Map<String, Object> body) throws IOException {
        return json(Map.of("query", Map.of("hybrid_rrf", body)));
    }

    private void tolerate(String category, String method, String path, String body) throws IOException {
        expect(Expect.NO_SERVER_ERROR, category, method, path, body);
    }

    private void expect(Expect expect, String category, String method, String path, String body) throws IOException {
        LocalHttp.Response r = send(category, method, path, body);
        String what = method + " " + path + " " + abbreviate(body);
        if (r.status() >= 400 && r.status() < 500) {
            checkRejection(category, what, r);
        } else if (r.status() < 300 && expect == Expect.REJECT) {
            wronglyAccepted.add(what + " -> " + r.status() + " " + abbreviate(r.body()));
        }
        if (r.status() < 300) {
            cleanUp(method, path);
        }
    }

    private LocalHttp.Response send(String category, String method, String path, String body) throws IOException {
        LocalHttp.Response r = sender.send(node, method, path, body);
        requests++;
        String statusClass = r.status() / 100 + "xx";
        byCategory.computeIfAbsent(category, c -> new TreeMap<>()).merge(statusClass, 1, Integer::sum);
        if (r.status() >= 500) {
            serverErrors.add(method + " " + path + " " + abbreviate(body) + " -> " + r.status() + " " + abbreviate(r.body()));
        }
        return r;
    }

    private void checkRejection(String category, String what, LocalHttp.Response r) {
        JsonNode e = read(r.body()).path("error");
        String reason = e.isTextual() ? e.asText() : e.path("reason").asText("");
        if (reason.isBlank() && r.status() != 404 && r.status() != 405) {
            missingReasons.add(category + ": " + what + " -> " + r.status() + " " + abbreviate(r.body()));
        }
    }

    private void cleanUp(String method, String path) throws IOException {
        if (method.equals("PUT") && (path.startsWith(MODELS) || path.startsWith("/_ingest/pipeline/"))) {
            sender.send(node, "DELETE", path, null);
        }
    }

    private static Map<String, Object> with(Map<String, Object> base, String field, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put(field, value);
        return m;
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String json(Object o) throws IOException {
        return JSON.writeValueAsString(replaceNull(o));
    }

    private static Object replaceNull(Object o) {
        if (o == NULL) {
            return null;
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, replaceNull(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(replaceNull(v)));
            return out;
        }
        return o;
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 160 ? s : s.substring(0, 160) + "…(" + s.length() + " chars)";
    }
}
