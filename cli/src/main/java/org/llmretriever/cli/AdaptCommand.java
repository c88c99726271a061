package org.llmretriever.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import me.tongfei.progressbar.ProgressBar;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.checkpoint.ModelConfig;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.model.RandomInit;
import org.llmretriever.encoder.tokenize.BpeTrainer;
import org.llmretriever.eval.EvalReport;
import org.llmretriever.eval.LocalDenseSearch;
import org.llmretriever.trainer.client.SearchClient;
import org.llmretriever.trainer.collection.BeirLoader;
import org.llmretriever.trainer.collection.Dataset;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.corpus.CorpusSource;
import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.corpus.IndexCorpus;
import org.llmretriever.trainer.corpus.JsonlCorpus;
import org.llmretriever.trainer.corpus.MsMarcoCorpus;
import org.llmretriever.trainer.corpus.TrecCorpus;
import org.llmretriever.trainer.index.HardNegativeMiner;
import org.llmretriever.trainer.index.IndexNegativeMiner;
import org.llmretriever.trainer.index.LuceneNegativeMiner;
import org.llmretriever.trainer.index.Reembedder;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code adapt}: adapts an LLM to a corpus without labels (LLM2IR contrastive, LLaRA EBAE/EBAR, or plain CLM),
 * then optionally registers the result with the plugin and re-embeds the index.
 */
@Command(name = "adapt", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Adapt an LLM for retrieval on a corpus, without labels.",
        "With the defaults, models/demo-base on SciFact (5,183 abstracts) takes about 25 minutes on 2 idle CPU cores, about twice that beside another job (docs/quality.md).",
        "Examples:",
        "  ./llm-retriever adapt --model ./models/base --opensearch http://127.0.0.1:9200 --index docs --fields title,text \\",
        "      --objective llm2ir --steps 200 --out ./runs/docs-llm2ir --register docs-llm2ir --reembed",
        "  ./llm-retriever adapt --init-config tiny-llama.json --jsonl corpus.jsonl --fields text --objective clm --full --out ./runs/base"
    })
public final class AdaptCommand implements Callable<Integer> {
    /** Where every training default lives; the options below start from it. */
    private static final TrainConfig DEFAULTS = new TrainConfig();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Models up to this size are fully fine-tuned unless --lora-rank is given (LoRA would only cost them capacity). */
    static final long FULL_FINE_TUNING_MAX_PARAMETERS = 200_000_000L;

    @Option(names = "--model", description = "Base model: a Hugging Face directory or hub id (org/name).")
    String model;

    @Option(names = "--init-config", description = "Start from random weights of this config.json instead of --model (use with --objective clm).")
    Path initConfig;

    @Option(names = "--tokenizer", description = "tokenizer.json for --init-config (default: train a byte-level BPE on the corpus).")
    Path tokenizer;

    @Option(names = "--vocab-size", defaultValue = "8192", description = "BPE vocabulary when training a tokenizer (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--index", description = "Index to read documents from (with --opensearch).")
    String index;

    @Option(names = "--jsonl", description = "JSON-lines corpus file.")
    Path jsonl;

    @Option(names = "--beir", description = "BEIR dataset directory (its corpus.jsonl, fields title,text).")
    Path beir;

    @Option(names = "--trec-docs", description = "TREC documents: a file of <DOC> records (plain or compressed), a tarball, "
        + "or a directory of either; CACM's one-file-per-document tarball too.")
    Path trecDocs;

    @Option(names = "--msmarco", description = "MS MARCO-style directory: its collection.tsv (id<TAB>text).")
    Path msmarco;

    @Option(names = "--fields", split = ",", description = "Text fields, comma-separated (default: title,text).")
    List<String> fields = new ArrayList<>(List.of("title", "text"));

    @Option(names = "--max-docs", description = "Keep at most this many documents (uniform sample; default: ${DEFAULT-VALUE}).")
    int maxDocs = DEFAULTS.maxDocs;

    @Option(names = "--objective", defaultValue = "llm2ir", split = ",", description = "llm2ir, llara, clm, or a sequence such as llara,llm2ir.")
    List<String> objectives;

    @Option(names = "--steps", description = "Optimizer steps per objective (default: " + LLM2IR_STEPS + " for llm2ir alone, the default objective; "
        + TrainConfig.DEFAULT_STEPS + " otherwise).")
    Integer steps;

    /**
     * llm2ir's default step count: SciFact-train nDCG@10 rose with steps (0.242 at 300, 0.256 at 450, 0.272 at 600, 0.319
     * at 900; with the gradient fix 0.301 at 900 and 0.333 at 1,300; docs/quality.md) and 1,300 steps take 24 min 42 s on
     * 2 idle cores, inside the 30-minute budget. The other objectives were not measured at more steps and keep
     * {@link TrainConfig#DEFAULT_STEPS}.
     */
    static final int LLM2IR_STEPS = 1300;

    @Option(names = "--batch-size", description = "Documents per micro-batch: in-batch negatives (default: ${DEFAULT-VALUE}).") int batchSize = DEFAULTS.batchSize;
    @Option(names = "--grad-accum") int gradAccum = DEFAULTS.gradAccum;
    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).") double lr = DEFAULTS.lr;
    @Option(names = "--warmup-steps") int warmup = DEFAULTS.warmupSteps;
    @Option(names = "--schedule", description = "cosine, linear or constant.") String schedule = DEFAULTS.schedule;
    @Option(names = "--weight-decay") double weightDecay = DEFAULTS.weightDecay;
    @Option(names = "--max-grad-norm") double maxGradNorm = DEFAULTS.maxGradNorm;
    @Option(names = "--seed") long seed = DEFAULTS.seed;
    @Option(names = "--max-tokens", description = "Longest training sequence (default: ${DEFAULT-VALUE}).") int maxTokens = DEFAULTS.maxTokens;
    @Option(names = "--crop-min", description = "llm2ir passage-view length, min (default: ${DEFAULT-VALUE}).") int cropMin = DEFAULTS.cropMin;
    @Option(names = "--crop-max", description = "llm2ir passage-view length, max (default: ${DEFAULT-VALUE}).") int cropMax = DEFAULTS.cropMax;
    @Option(names = "--query-crop-min", description = "llm2ir query-view length, min (default: ${DEFAULT-VALUE}).") int queryCropMin = DEFAULTS.queryCropMin;
    @Option(names = "--query-crop-max", description = "llm2ir query-view length, max; 0 = two symmetric, overlapping crops "
        + "of --crop-min..--crop-max (default: ${DEFAULT-VALUE}).") int queryCropMax = DEFAULTS.queryCropMax;
    @Option(names = "--temperature") double temperature = DEFAULTS.temperature;
    @Option(names = "--lexical-teacher", description = "llm2ir: weight of a TF-IDF teacher (the corpus's own term statistics): the batch's query-passage similarities must follow TF-IDF cosine (default: ${DEFAULT-VALUE}; 0 = off).") double lexicalTeacher = DEFAULTS.lexicalTeacher;
    @Option(names = "--batch-neighbours", description = "llm2ir: each document of a batch brings up to N of its TF-IDF nearest documents "
        + "(corpus statistics only) into the batch as negatives (default: ${DEFAULT-VALUE}; 0 = random batches).") int batchNeighbours = DEFAULTS.batchNeighbours;
    @Option(names = "--train-token-weights", description = "llm2ir with weighted_mean pooling: the per-token weights train with the model, "
        + "starting from the corpus IDF.") boolean trainTokenWeights;
    @Option(names = "--bow-weight", description = "llm2ir: weight of the bag-of-words loss, each view's embedding predicting its document's words through the LM head (default: ${DEFAULT-VALUE}, off).") double bowWeight = DEFAULTS.bowWeight;
    @Option(names = "--queue", description = "llm2ir: keep the passage embeddings of earlier steps as extra negatives, up to this many (a memory queue; default: ${DEFAULT-VALUE}).") int queueSize = DEFAULTS.queueSize;
    @Option(names = "--hard-negatives", description = "BM25 hard negatives per query view: from --index on --opensearch, else from an in-process Lucene index of the corpus (default: ${DEFAULT-VALUE}).") int hardNegatives = DEFAULTS.hardNegatives;
    @Option(names = "--lora-rank", description = "LoRA rank (default: full fine-tuning for models up to "
        + FULL_FINE_TUNING_MAX_PARAMETERS / 1_000_000 + " M parameters, else LoRA of rank 16).") Integer loraRank;
    @Option(names = "--lora-alpha") double loraAlpha = DEFAULTS.loraAlpha;
    @Option(names = "--lora-dropout") double loraDropout = DEFAULTS.loraDropout;
    @Option(names = "--lora-targets", split = ",", description = "Module names to adapt (default: attention and MLP projections).") List<String> loraTargets = new ArrayList<>();
    @Option(names = "--full", description = "Full fine-tuning instead of LoRA, whatever the model size.") boolean full;
    @Option(names = "--freeze-embeddings", description = "With full fine-tuning, keep the token embeddings fixed.") boolean freezeEmbeddings;
    @Option(names = "--llara-tokens") int llaraTokens = DEFAULTS.llaraTokens;
    @Option(names = "--llara-passage-tokens") int llaraPassageTokens = DEFAULTS.llaraPassageTokens;
    @Option(names = "--llara-clm-weight") double llaraClmWeight = DEFAULTS.llaraClmWeight;
    @Option(names = "--no-stopwords", description = "Keep stop words in LLaRA's bag-of-words targets.") boolean keepStopwords;
    @Option(names = "--pooling", defaultValue = "weighted_mean", description = "Embedding pooling for llm2ir (default: ${DEFAULT-VALUE}: the mean "
        + "weighted by each token's IDF over the corpus, written beside the model as token_weights.safetensors; chosen on SciFact "
        + "train with models/demo-base, see docs/quality.md).") String pooling;
    @Option(names = "--attention", defaultValue = "causal", description = "causal or bidirectional (LLM2Vec-style: every token sees the whole text; the plugin embeds with the same setting).")
    String attention;
    @Option(names = "--query-prompt", defaultValue = "") String queryPrompt;
    @Option(names = "--passage-prompt", defaultValue = "") String passagePrompt;
    @Option(names = "--device", defaultValue = "auto") String device;
    @Option(names = "--dtype", defaultValue = "auto") String dtype;

    @Option(names = "--out", required = true, description = "Output directory (model/, adapter/, checkpoints/, metrics.jsonl, summary.json).")
    Path out;

    @Option(names = "--checkpoint-every") int checkpointEvery = DEFAULTS.checkpointEvery;
    @Option(names = "--probe-every", description = "Log held-out crop retrieval accuracy (and --eval-beir) every N steps; 0 = never (default: ${DEFAULT-VALUE}).")
    int probeEvery = DEFAULTS.probeEvery;
    @Option(names = "--eval-beir", description = "A BEIR directory whose --eval-split nDCG@10 is measured in-process at every probe (slow: it embeds the whole corpus).")
    Path evalBeir;
    @Option(names = "--eval-split", defaultValue = "train", description = "Qrels split for --eval-beir (default: ${DEFAULT-VALUE}; never tune on test).")
    String evalSplit;
    @Option(names = "--resume", description = "Continue from --out's last checkpoint.") boolean resume;

    @Option(names = "--register", description = "Register the adapted model with the plugin under this name.")
    String register;

    @Option(names = "--models-path", description = "The cluster's plugins.llm_retriever.models_path as seen from here (default: the local node's).")
    Path modelsPath;

    @Option(names = "--reembed", description = "Re-embed --index with the registered model (fresh index + alias swap).")
    boolean reembed;

    @Option(names = "--pipeline", description = "llm_embedding pipeline to copy for --reembed (default: the index's default_pipeline).")
    String pipeline;

    @Override
    public Integer call() throws Exception {
        if (reembed && (register == null || index == null)) {
            throw new IllegalArgumentException("--reembed needs --register NAME and --opensearch/--index");
        }
        if ((model == null) == (initConfig == null)) {
            throw new IllegalArgumentException("give exactly one of --model and --init-config");
        }
        TrainConfig cfg = trainConfig();
        cfg.validate();
        SearchClient client = connection.url != null ? connection.connect() : null;
        try {
            Corpus corpus = Corpus.load(source(client), maxDocs, seed);
            System.out.println("corpus: " + corpus.description() + " — " + corpus.stats());
            Path baseDir = initConfig != null ? initialize(corpus) : resolveModel();
            // weighted_mean: the base is read with plain mean pooling; the trainer sets the corpus's IDF weights
            Pooling p = Pooling.parse(pooling);
            EncoderOptions opts = EncoderOptions.defaults().withPooling(p.mode() == Pooling.Mode.WEIGHTED_MEAN ? Pooling.MEAN : p).withPrompts(queryPrompt, passagePrompt)
                .withMaxTokens(Math.max(maxTokens, 16)).withAttention(EncoderOptions.Attention.parse(attention)).withDevice(EncoderOptions.DeviceChoice.parse(device), EncoderOptions.DTypeChoice.parse(dtype));
            Trainer.Result result;
            try (HardNegativeMiner miner = miner(client, corpus); EncoderModel base = EncoderModel.load(baseDir, opts)) {
                if (loraRank == null && !full && initConfig == null) {
                    cfg.loraRank = base.model().parameterCount() <= FULL_FINE_TUNING_MAX_PARAMETERS ? 0 : 16;
                    cfg.validate(); // e.g. --freeze-embeddings on a model large enough for LoRA
                }
                System.out.println(cfg.lora() ? "training: LoRA rank " + cfg.loraRank : "training: all weights (full fine-tuning)");
                System.out.printf("model: %s (%s, %,d parameters, %s on %s)%n", baseDir, base.model().spec().modelType(),
                    base.model().parameterCount(), base.model().dtype(), base.model().device());
                result = train(cfg, base, corpus, miner);
            }
            if (!result.completed()) {
                System.out.println("stopped; checkpoint written to " + out.resolve("checkpoints/latest") + " (continue with --resume)");
                return ExitCodes.INTERRUPTED;
            }
            System.out.println("adapted model: " + result.modelDir() + (result.adapterDir() != null ? ", LoRA adapter: " + result.adapterDir() : ""));
            int skipped = result.summary().path("skipped_non_finite_steps").asInt();
            if (skipped > 0) {
                System.out.println(skipped + " step(s) skipped for a non-finite gradient (listed in " + out.resolve("metrics.jsonl") + ")");
            }
            if (register != null) {
                if (client == null) {
                    throw new IllegalArgumentException("--register needs --opensearch");
                }
                Reembedder re = new Reembedder(client, System.out);
                Path models = modelsPath != null ? modelsPath : StateDirs.home().resolve("models");
                re.register(register, result.modelDir(), models, result.retriever().asMap());
                if (reembed) {
                    long total = client.get("/" + index + "/_count").path("count").asLong();
                    try (ProgressBar pb = Progress.bar("re-embed", total, "docs")) {
                        Reembedder.Result r = re.reembed(index, register, pipeline, pb::stepTo);
                        pb.stepTo(r.documents());
                    }
                }
            }
            return ExitCodes.OK;
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    private Trainer.Result train(TrainConfig cfg, EncoderModel base, Corpus corpus, HardNegativeMiner miner) throws Exception {
        Trainer.Probe probe = null;
        if (evalBeir != null) {
            Dataset ds = BeirLoader.load(evalBeir, evalSplit);
            probe = current -> {
                EvalReport r = new EvalReport(ds.name(), "training");
                r.add("dense", ds, new LocalDenseSearch(current, (task, total) -> Progress.bar(task, total, "texts")).run(ds, 100));
                return Map.of(ds.name() + "_" + evalSplit + "_ndcg@10", r.mean("dense", "ndcg@10"));
            };
        }
        return trainWithProgress(cfg, base, corpus, miner, probe);
    }

    /** Trains with a progress bar per phase; Ctrl-C writes a checkpoint before the JVM exits. */
    static Trainer.Result trainWithProgress(TrainConfig cfg, EncoderModel base, Corpus corpus, HardNegativeMiner miner) throws Exception {
        return trainWithProgress(cfg, base, corpus, miner, null);
    }

    /** As above, with extra measurements at every probe. */
    static Trainer.Result trainWithProgress(TrainConfig cfg, EncoderModel base, Corpus corpus, HardNegativeMiner miner, Trainer.Probe probe)
        throws Exception {
        ProgressBar[] bar = new ProgressBar[1];
        Trainer trainer = new Trainer(cfg, base, corpus, miner, new Trainer.Listener() {
            @Override
            public void phaseStarted(int phase, String objective, int fromStep, int total) {
                bar[0] = Progress.bar(objective, total, "steps");
                bar[0].stepTo(fromStep);
            }

            @Override
            public void stepEnded(int phase, String objective, int step, double loss, double tps) {
                bar[0].stepTo(step + 1);
                bar[0].setExtraMessage(String.format(" loss %.4f, %.0f tok/s", loss, tps));
            }

            @Override
            public void stepSkipped(int phase, String objective, int step, double loss, List<String> parameters) {
                System.out.printf("%s step %d skipped, weights unchanged: its gradient was not finite (loss %.4f; %s)%n", objective, step,
                    loss, parameters.isEmpty() ? "every gradient finite, their norm overflowed" : "NaN/Inf in " + String.join(", ", parameters));
            }

            @Override
            public void phaseEnded(int phase, String objective) {
                bar[0].close();
            }

            @Override
            public void probed(int phase, String objective, int stepsDone, Map<String, Double> figures) {
                StringBuilder line = new StringBuilder(objective + " after " + stepsDone + " steps:");
                figures.forEach((k, v) -> line.append(String.format(" %s %.4f", k, v)));
                if (bar[0] != null) {
                    bar[0].setExtraMessage(" " + line);
                }
                System.out.println(line);
            }
        });
        trainer.setProbe(probe);
        Thread hook = new Thread(() -> {
            trainer.requestStop(); // Ctrl-C: finish the step, write a checkpoint, exit
            try {
                trainer.awaitFinished(120_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "adapt-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return trainer.run();
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for us
            }
        }
    }

    /**
     * BM25 negatives from the OpenSearch index being adapted, else from an in-process Lucene index of the corpus;
     * null without {@code --hard-negatives}.
     */
    private HardNegativeMiner miner(SearchClient client, Corpus corpus) throws IOException {
        if (hardNegatives <= 0) {
            return null;
        }
        if (client != null && index != null) {
            return new IndexNegativeMiner(client, index, fields);
        }
        long t0 = System.nanoTime();
        LuceneNegativeMiner lucene = new LuceneNegativeMiner(corpus.documents());
        System.out.printf("hard negatives: BM25 over an in-process Lucene index of the %,d documents (built in %.1f s)%n",
            corpus.size(), (System.nanoTime() - t0) / 1e9);
        return lucene;
    }

    TrainConfig trainConfig() {
        TrainConfig c = new TrainConfig();
        c.objectives = objectives;
        c.steps = steps != null ? steps : objectives.equals(List.of("llm2ir")) ? LLM2IR_STEPS : TrainConfig.DEFAULT_STEPS;
        c.batchSize = batchSize;
        c.gradAccum = gradAccum;
        c.lr = lr;
        c.warmupSteps = warmup;
        c.schedule = schedule;
        c.weightDecay = weightDecay;
        c.maxGradNorm = maxGradNorm;
        c.seed = seed;
        c.maxTokens = maxTokens;
        c.cropMin = cropMin;
        c.cropMax = cropMax;
        c.queryCropMin = queryCropMin;
        c.queryCropMax = queryCropMax;
        c.temperature = temperature;
        c.bowWeight = bowWeight;
        c.lexicalTeacher = lexicalTeacher;
        c.batchNeighbours = batchNeighbours;
        c.trainTokenWeights = trainTokenWeights;
        c.idfPooling = Pooling.parse(pooling).mode() == Pooling.Mode.WEIGHTED_MEAN;
        c.hardNegatives = hardNegatives;
        c.freezeEmbeddings = freezeEmbeddings;
        c.queueSize = queueSize;
        c.loraRank = full || initConfig != null ? 0 : loraRank != null ? loraRank : freezeEmbeddings ? 0 : 16; // unset: decided by size once loaded
        c.loraAlpha = loraAlpha;
        c.loraDropout = loraDropout;
        c.loraTargets = loraTargets;
        c.llaraTokens = llaraTokens;
        c.llaraPassageTokens = llaraPassageTokens;
        c.llaraClmWeight = llaraClmWeight;
        c.llaraStopwords = !keepStopwords;
        c.maxDocs = maxDocs;
        c.checkpointEvery = checkpointEvery;
        c.probeEvery = probeEvery;
        c.outDir = out;
        c.resume = resume;
        return c;
    }

    private CorpusSource source(SearchClient client) {
        int given = (index != null ? 1 : 0) + (jsonl != null ? 1 : 0) + (beir != null ? 1 : 0) + (trecDocs != null ? 1 : 0)
            + (msmarco != null ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException(
                "give exactly one corpus: --opensearch URL --index I, --jsonl FILE, --beir DIR, --trec-docs FILE|DIR or --msmarco DIR");
        }
        if (trecDocs != null) {
            return new TrecCorpus(trecDocs);
        }
        if (msmarco != null) {
            return new MsMarcoCorpus(msmarco);
        }
        if (index != null) {
            if (client == null) {
                throw new IllegalArgumentException("--index needs --opensearch URL");
            }
            return new IndexCorpus(client, index, fields);
        }
        return jsonl != null ? new JsonlCorpus(jsonl, fields) : JsonlCorpus.beir(beir);
    }

    private Path resolveModel() {
        Path p = Path.of(model);
        if (Files.isDirectory(p)) {
            return p;
        }
        if (model.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            return new org.llmretriever.encoder.checkpoint.HubDownloader().download(model, "main");
        }
        throw new IllegalArgumentException("--model " + model + " is neither a directory nor a Hugging Face hub id (org/name)");
    }

    /** Random weights of --init-config with a given or freshly trained tokenizer, written to out/init. */
    private Path initialize(Corpus corpus) throws IOException {
        Path dir = out.resolve("init");
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir; // resume: the same random start
        }
        ObjectNode config = (ObjectNode) JSON.readTree(initConfig.toFile());
        String tokJson;
        if (tokenizer != null) {
            tokJson = Files.readString(tokenizer);
        } else {
            System.out.println("training a byte-level BPE tokenizer (" + vocabSize + " tokens) on the corpus ...");
            tokJson = BpeTrainer.train(corpus.documents().stream().map(Document::text).toList(), vocabSize, 2);
            config.put("bos_token_id", BpeTrainer.BOS_ID);
            config.put("eos_token_id", BpeTrainer.EOS_ID);
            config.put("pad_token_id", BpeTrainer.PAD_ID);
        }
        int vocab = JSON.readTree(tokJson).path("model").path("vocab").size() + 0;
        config.put("vocab_size", Math.max(vocab, config.path("vocab_size").asInt(0)));
        RandomInit.write(ModelConfig.of(config, initConfig.toString()), tokJson, seed, dir, Long.MAX_VALUE);
        if (tokenizer == null) {
            Files.writeString(dir.resolve("tokenizer_config.json"), BpeTrainer.tokenizerConfigJson(maxTokens));
        }
        System.out.println("random " + config.path("model_type").asText() + " model initialized in " + dir);
        return dir;
    }
}
