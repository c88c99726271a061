package org.llmretriever.cli;

import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.eval.EvalReport;
import org.llmretriever.eval.EvalRunner;
import org.llmretriever.eval.LocalDenseSearch;
import org.llmretriever.eval.TrecMetrics;
import org.llmretriever.trainer.collection.BeirLoader;
import org.llmretriever.trainer.collection.Dataset;
import org.llmretriever.trainer.collection.MsMarcoLoader;
import org.llmretriever.trainer.collection.TrecLoader;
import org.llmretriever.trainer.collection.TrecTopicsReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code eval}: retrieval quality through the engine — BM25, dense ({@code llm_knn}) and hybrid — with trec_eval metrics. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Index a test collection through the pipeline and measure nDCG@10, Recall@100, MRR@10 and MAP for BM25, dense and hybrid.",
        "Examples:",
        "  ./llm-retriever eval --beir ../shared/datasets/scifact --split test --model-path runs/scifact-llm2ir/model",
        "  ./llm-retriever eval --trec-docs cacm.tar.gz --topics topics.cacm.txt --qrels qrels.cacm.txt --name cacm --model my-model --opensearch http://127.0.0.1:9200",
        "  ./llm-retriever eval --msmarco msmarco-passage --split dev.small --model my-model --methods bm25,dense --k 10 --opensearch http://127.0.0.1:9200"
    })
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--beir", description = "BEIR dataset directory (corpus.jsonl, queries.jsonl, qrels/<split>.tsv).")
    Path beir;

    @Option(names = "--msmarco", description = "MS MARCO-style directory (collection.tsv, queries.<split>.tsv, qrels.<split>.tsv; .tsv.gz too).")
    Path msmarco;

    @Option(names = "--split", description = "Qrels split: BEIR qrels/<split>.tsv (default: test), MS MARCO <split> (default: dev.small).")
    String split;

    @Option(names = "--trec-docs", description = "TREC documents: a file of <DOC> records (plain or compressed), a tarball, "
        + "or a directory of either; CACM's one-file-per-document tarball too.")
    Path trecDocs;

    @Option(names = "--topics", description = "TREC topics file (<top><num><title><desc><narr>, tags closed or not; or CACM's <DOC><DOCNO>).")
    Path topics;

    @Option(names = "--topic-field", defaultValue = "title", description = "Query text of a <top> topic: title, desc or title+desc (default: ${DEFAULT-VALUE}).")
    String topicField;

    @Option(names = "--qrels", description = "TREC qrels file: query iteration doc grade (or BEIR's query doc grade).")
    Path qrels;

    @Option(names = "--max-unknown-qrels", defaultValue = "0.01", description = "Refuse if more than this fraction of judged (query, document) "
        + "pairs name documents the collection lacks; fewer are a warning (default: ${DEFAULT-VALUE}).")
    double maxUnknownQrels;

    @Option(names = "--name", description = "Dataset name (default: the directory or file name).")
    String name;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--model", description = "A model registered in the cluster.")
    String model;

    @Option(names = "--model-path", description = "A model directory to register first (uses its retriever.json if adapt wrote one).")
    Path modelPath;

    @Option(names = "--register-as", description = "Name for --model-path (default: derived from the directory).")
    String registerAs;

    @Option(names = "--pooling", description = "Override pooling for --model-path.")
    String pooling;

    @Option(names = "--attention", description = "Override attention (causal, bidirectional) for --model-path.")
    String attention;

    @Option(names = "--max-tokens", description = "Override max_tokens for --model-path.")
    Integer maxTokens;

    @Option(names = "--models-path", description = "The cluster's models_path as seen from here (default: .llm-retriever/models).")
    Path modelsPath;

    @Option(names = "--index", description = "Index name (default: eval-<dataset>-<model>).")
    String index;

    @Option(names = "--reindex", description = "Rebuild the index even if a complete one exists.")
    boolean reindex;

    @Option(names = "--methods", defaultValue = "bm25,dense,hybrid", split = ",", description = "Methods (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--k", defaultValue = "100", description = "Retrieval depth (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--rank-constant", defaultValue = "60", description = "RRF rank constant for hybrid (default: ${DEFAULT-VALUE}).")
    int rankConstant;

    @Option(names = "--max-queries", defaultValue = "0", description = "Evaluate only the first N judged queries (0 = all).")
    int maxQueries;

    @Option(names = "--out", description = "Output directory for results.json and plots (default: eval-results/<dataset>-<model>).")
    Path out;

    @Option(names = "--dense-weight", defaultValue = "1.0", description = "Weight of the dense ranking in hybrid; BM25's is 1 (default: ${DEFAULT-VALUE}; "
        + "e.g. a weight chosen by --tune-fusion on another collection's train split).")
    double denseWeight;

    @Option(names = "--tune-fusion", description = "Choose hybrid's dense weight and rank constant by nDCG@10 on --tune-split (BEIR), "
        + "then report hybrid-tuned on --split with them.")
    boolean tuneFusion;

    @Option(names = "--tune-split", defaultValue = "train", description = "BEIR split to tune fusion on (default: ${DEFAULT-VALUE}; never the reported one).")
    String tuneSplit;

    @Option(names = "--local", description = "Dense only, without a node: embed in-process and rank by exact cosine (needs --model-path). "
        + "The fast loop for trying a recipe; the node path is the reported one.")
    boolean local;

    @Option(names = "--diagnose", description = "With --local: print the anisotropy of the vectors and score the mean-centred vectors too (dense-centered).")
    boolean diagnose;

    @Override
    public Integer call() throws Exception {
        Dataset ds = load().limitQueries(maxQueries);
        System.out.printf("dataset %s: %,d documents, %d judged queries%n", ds.name(), ds.documents().size(), ds.judgedQueries().size());
        if ((model == null) == (modelPath == null)) {
            throw new IllegalArgumentException("give exactly one of --model NAME and --model-path DIR");
        }
        if (!(denseWeight >= 0) || Double.isInfinite(denseWeight)) {
            throw new IllegalArgumentException("--dense-weight must be a finite number >= 0, got " + denseWeight);
        }
        if (local) {
            return evalLocal(ds);
        }
        try (ClusterAccess cluster = ClusterAccess.open(connection, modelsPath)) {
            EvalRunner runner = new EvalRunner(cluster.client(), (task, total) -> Progress.bar(task, total, "items"));
            String m = model;
            int dim;
            String identity;
            if (modelPath != null) {
                m = registerAs != null ? registerAs : ("eval-" + modelPath.toAbsolutePath().normalize().getParent().getFileName() + "-"
                    + modelPath.getFileName()).toLowerCase().replaceAll("[^a-z0-9_.-]", "-");
                Map<String, Object> overrides = new LinkedHashMap<>();
                if (pooling != null) {
                    overrides.put("pooling", pooling);
                }
                if (maxTokens != null) {
                    overrides.put("max_tokens", maxTokens);
                }
                if (attention != null) {
                    overrides.put("attention", attention);
                }
                dim = cluster.register(m, modelPath, overrides);
                identity = EvalRunner.identity(modelPath, overrides);
            } else {
                dim = cluster.dimension(m);
                identity = runner.identity(m);
            }
            String idx = index != null ? index : ("eval-" + ds.name() + "-" + m).toLowerCase().replaceAll("[^a-z0-9_.-]", "-");
            long t0 = System.nanoTime();
            EvalRunner.Outcome indexed = runner.index(ds, idx, m, identity, dim, reindex);
            switch (indexed) {
                case REUSED -> System.out.println("reusing index " + idx + " (embedded by the same model and settings)");
                case REBUILT_STALE -> System.out.println("index " + idx + " was embedded by another model or other settings: rebuilt");
                case CREATED -> { }
            }
            System.out.printf("indexed in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            EvalReport report = new EvalReport(ds.name(), m);
            for (String method : methods) {
                long t1 = System.nanoTime();
                Map<String, List<TrecMetrics.Hit>> run = runner.run(ds, idx, method, m, k, rankConstant, denseWeight);
                report.add(method, ds, run);
                if (method.equals("hybrid")) {
                    report.setting(method, "dense_weight", denseWeight);
                    report.setting(method, "rank_constant", rankConstant);
                }
                System.out.printf("%s: %.1f s%n", method, (System.nanoTime() - t1) / 1e9);
            }
            if (tuneFusion) {
                tuneAndRunFusion(runner, ds, idx, m, report);
            }
            report.print(System.out);
            Path dir = out != null ? out : Path.of("eval-results", (ds.name() + "-" + m).replaceAll("[^A-Za-z0-9_.-]", "-"));
            for (Path f : report.write(dir)) {
                System.out.println("wrote " + f.toAbsolutePath());
            }
        }
        return ExitCodes.OK;
    }

    /** Dense weights (BM25's is 1) and rank constants tried by --tune-fusion; weight 0 is BM25 alone, so fusion cannot lose on the tuning split. */
    static final double[] FUSION_DENSE_WEIGHTS = { 0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0 };
    static final int[] FUSION_RANK_CONSTANTS = { 20, 60 };

    private void tuneAndRunFusion(EvalRunner runner, Dataset ds, String idx, String m, EvalReport report) throws Exception {
        if (beir == null) {
            throw new IllegalArgumentException("--tune-fusion needs a BEIR dataset (--beir) with a --tune-split qrels file");
        }
        if (tuneSplit.equals(split())) {
            throw new IllegalArgumentException("--tune-split must differ from --split (" + split() + "): tuning on the reported split overstates it");
        }
        Dataset tune = BeirLoader.load(beir, tuneSplit, maxUnknownQrels, System.err).limitQueries(maxQueries);
        double bestWeight = 0;
        int bestConstant = rankConstant;
        double best = -1;
        for (int c : FUSION_RANK_CONSTANTS) {
            for (double w : FUSION_DENSE_WEIGHTS) {
                EvalReport r = new EvalReport(tune.name(), m);
                r.add("hybrid", tune, runner.run(tune, idx, "hybrid", m, k, c, w));
                double ndcg = r.mean("hybrid", "ndcg@10");
                System.out.printf("fusion on %s: dense weight %.2f, rank constant %d -> nDCG@10 %.4f%n", tuneSplit, w, c, ndcg);
                if (ndcg > best + 1e-9) {
                    best = ndcg;
                    bestWeight = w;
                    bestConstant = c;
                }
            }
        }
        System.out.printf("chosen on %s: dense weight %.2f (BM25 1.0), rank constant %d (nDCG@10 %.4f)%n", tuneSplit, bestWeight, bestConstant, best);
        report.add("hybrid-tuned", ds, runner.run(ds, idx, "hybrid", m, k, bestConstant, bestWeight));
        report.setting("hybrid-tuned", "dense_weight", bestWeight);
        report.setting("hybrid-tuned", "rank_constant", bestConstant);
        report.setting("hybrid-tuned", "tuned_on", tuneSplit + String.format(java.util.Locale.ROOT, " (nDCG@10 %.4f)", best));
    }

    private int evalLocal(Dataset ds) throws Exception {
        if (modelPath == null) {
            throw new IllegalArgumentException("--local embeds in-process: give --model-path DIR (not --model)");
        }
        EvalReport report = new EvalReport(ds.name(), modelPath.toString());
        long t0 = System.nanoTime();
        try (EncoderModel m = EncoderModel.load(modelPath, LocalDenseSearch.options(modelPath, pooling, maxTokens, attention))) {
            new LocalDenseSearch(m, (task, total) -> Progress.bar(task, total, "texts")).runs(ds, k, diagnose).forEach((method, run) -> report.add(method, ds, run));
        }
        System.out.printf("embedded and searched in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        report.print(System.out);
        Path dir = out != null ? out : Path.of("eval-results", (ds.name() + "-local-" + modelPath.getFileName()).replaceAll("[^A-Za-z0-9_.-]", "-"));
        for (Path f : report.write(dir)) {
            System.out.println("wrote " + f.toAbsolutePath());
        }
        return ExitCodes.OK;
    }

    private String split() {
        return split != null ? split : msmarco != null ? "dev.small" : "test";
    }

    /** Exactly one input form; every loader applies the same refusals (CollectionChecks). */
    private Dataset load() throws Exception {
        int forms = (beir != null ? 1 : 0) + (msmarco != null ? 1 : 0) + (trecDocs != null ? 1 : 0);
        if (forms != 1 || (trecDocs == null && (topics != null || qrels != null))) {
            throw new IllegalArgumentException("give exactly one collection: --beir DIR, --msmarco DIR, or --trec-docs FILE|DIR with --topics and --qrels");
        }
        if (beir != null) {
            Dataset d = BeirLoader.load(beir, split(), maxUnknownQrels, System.err);
            return name == null ? d : new Dataset(name, d.documents(), d.queries(), d.qrels());
        }
        if (msmarco != null) {
            Dataset d = MsMarcoLoader.load(msmarco, split(), maxUnknownQrels, System.err);
            return new Dataset(name != null ? name : d.name() + "-" + split(), d.documents(), d.queries(), d.qrels());
        }
        if (topics == null || qrels == null) {
            throw new IllegalArgumentException("--trec-docs needs --topics FILE and --qrels FILE");
        }
        String n = name != null ? name : trecDocs.getFileName().toString().replaceAll("\\..*$", "");
        return TrecLoader.load(n, trecDocs, topics, TrecTopicsReader.Field.parse(topicField), qrels, maxUnknownQrels, System.err);
    }
}
