package org.llmretriever.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.embed.TokenWeights;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.objective.LlaraObjective;
import org.llmretriever.trainer.train.Checkpoints;
import org.llmretriever.trainer.objective.Llm2IrObjective;
import org.llmretriever.trainer.train.TrainConfig;
import org.llmretriever.trainer.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.assertThrows;

/** Training on tiny models: it learns, it resumes bit-identically, it stops cleanly, LLaRA's tokens persist. */
public class TrainerTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    private static Path baseDir;
    private static SyntheticCorpus corpus;

    @BeforeClass
    public static void setUp() throws Exception {
        baseDir = RandomCheckpoints.write(tmp.newFolder("base").toPath(), "llama", 21);
        corpus = new SyntheticCorpus(32, 7);
    }

    /** A short run of {@code objectives} on the synthetic corpus (LoRA of the default rank), written to a fresh folder. */
    private static TrainConfig config(String objectives, String folder, int steps) throws IOException {
        TrainConfig c = new TrainConfig();
        c.objectives = List.of(objectives.split(","));
        c.outDir = tmp.newFolder(folder).toPath();
        c.steps = steps;
        c.batchSize = 8;
        c.lr = 3e-3;
        c.warmupSteps = 3;
        c.cropMin = 8;
        c.cropMax = 24;
        c.queryCropMin = 0; // two symmetric crops: the synthetic documents are short
        c.queryCropMax = 0;
        c.maxTokens = 96;
        c.temperature = 0.1;
        c.checkpointEvery = 0;
        c.seed = 5;
        c.llaraPassageTokens = 24;
        c.idfPooling = false; // these tests measure with the pooling the base was loaded with
        return c;
    }

    /** {@link #config} with every weight trained: the tiny model is small enough that LoRA would only cost it capacity. */
    private static TrainConfig fullFineTuning(String objectives, String folder, int steps) throws IOException {
        TrainConfig c = config(objectives, folder, steps);
        c.loraRank = 0;
        return c;
    }

    /** Trains the base model with {@code cfg} (no hard negatives, no listener). */
    private static Trainer.Result train(TrainConfig cfg) throws IOException {
        try (EncoderModel base = EncoderModel.load(baseDir, EncoderOptions.defaults())) {
            return new Trainer(cfg, base, Corpus.of(corpus.train), null, null).run();
        }
    }

    /** Fraction of held-back crops whose own document is the nearest training text. */
    static double crops(EncoderModel m) {
        float[][] q = m.embed(corpus.heldBack, Kind.QUERY).vectors();
        float[][] p = m.embed(corpus.train.stream().map(d -> d.text()).toList(), Kind.PASSAGE).vectors();
        return Llm2IrObjective.pairedTop1(q, p);
    }

    @Test
    public void llm2irImprovesRetrievalOfHeldBackCropsToTheirDocuments() throws Exception {
        TrainConfig cfg = fullFineTuning("llm2ir", "llm2ir", 80);
        cfg.batchSize = 16;
        Path out = cfg.outDir;
        double before;
        try (EncoderModel base = EncoderModel.load(baseDir, EncoderOptions.defaults())) {
            before = crops(base);
            Trainer.Result r = new Trainer(cfg, base, Corpus.of(corpus.train), null, null).run();
            assertTrue(r.completed());
        }
        double after;
        try (EncoderModel trained = EncoderModel.load(out.resolve("model"), EncoderOptions.defaults())) {
            after = crops(trained);
        }
        System.out.printf("llm2ir crop->document top-1 on held-back crops: before %.3f, after %.3f%n", before, after);
        assertTrue("held-back crop retrieval must improve: before " + before + ", after " + after, after >= before + 0.2);
        List<String> all = Files.readAllLines(out.resolve("metrics.jsonl"));
        List<String> lines = all.stream().filter(l -> l.contains("\"step\"")).toList();
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertTrue(summary.path("completed").asBoolean());
        // a step whose gradient is not finite is skipped (Trainer) and logged as such; rare, but it happens
        int skipped = summary.path("skipped_non_finite_steps").asInt();
        assertTrue("skipped steps: " + skipped, skipped <= 4);
        assertEquals("one metrics line per step taken", 80 - skipped, lines.size());
        assertEquals("one line per skipped step", skipped, all.stream().filter(l -> l.contains("\"skipped_step\"")).count());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertTrue(last.path("loss").asDouble() < first.path("loss").asDouble());
        assertTrue(first.path("losses").has("infonce") && first.path("losses").has("lexical") && first.has("lr")
            && first.has("grad_norm") && first.has("tokens_per_s"));
    }

    @Test
    public void aResumedRunEndsBitIdenticalToAnUninterruptedOne() throws Exception {
        TrainConfig a = config("llm2ir", "full", 12);
        Path full = a.outDir;
        train(a);
        TrainConfig b = config("llm2ir", "split", 12);
        Path split = b.outDir;
        b.stopAfterSteps = 5; // like Ctrl-C after step 5
        assertFalse(train(b).completed());
        assertTrue(Files.isDirectory(Checkpoints.latest(split)));
        b.stopAfterSteps = 0;
        b.resume = true;
        assertTrue(train(b).completed());
        try (SafetensorsFile x = SafetensorsFile.open(full.resolve("adapter/adapter_model.safetensors"));
             SafetensorsFile y = SafetensorsFile.open(split.resolve("adapter/adapter_model.safetensors"))) {
            assertEquals(x.tensors().keySet(), y.tensors().keySet());
            for (String n : x.tensors().keySet()) {
                assertArrayEquals(n, x.readFloats(n), y.readFloats(n), 0f);
            }
        }
        assertEquals(Files.readAllLines(full.resolve("metrics.jsonl")).size(), Files.readAllLines(split.resolve("metrics.jsonl")).size());
    }

    @Test
    public void aStopRequestWritesALoadableCheckpoint() throws Exception {
        TrainConfig cfg = config("llm2ir", "stopped", 200);
        Path out = cfg.outDir;
        try (EncoderModel base = EncoderModel.load(baseDir, EncoderOptions.defaults())) {
            AtomicInteger steps = new AtomicInteger();
            Trainer[] t = new Trainer[1];
            t[0] = new Trainer(cfg, base, Corpus.of(corpus.train), null, new Trainer.Listener() {
                @Override
                public void stepEnded(int phase, String objective, int step, double loss, double tps) {
                    if (steps.incrementAndGet() == 3) {
                        t[0].requestStop(); // what the Ctrl-C hook does
                    }
                }
            });
            Trainer.Result r = t[0].run();
            assertFalse(r.completed());
        }
        Checkpoints.State s = Checkpoints.load(out, cfg);
        assertEquals(3, s.step());
        assertFalse(s.params().isEmpty());
        assertFalse(s.moments().isEmpty());
    }

    @Test
    public void llm2irWithBagOfWordsAndInProcessHardNegativesLowersTheBagOfWordsLoss() throws Exception {
        TrainConfig cfg = fullFineTuning("llm2ir", "llm2ir-bow", 20);
        Path out = cfg.outDir;
        cfg.bowWeight = 1.0;
        cfg.hardNegatives = 1;
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        try (EncoderModel base = EncoderModel.load(baseDir, EncoderOptions.defaults());
             org.llmretriever.trainer.index.LuceneNegativeMiner lucene = new org.llmretriever.trainer.index.LuceneNegativeMiner(corpus.train)) {
            org.llmretriever.trainer.index.HardNegativeMiner counting = (text, id, n) -> {
                asked.incrementAndGet();
                return lucene.negatives(text, id, n);
            };
            assertTrue(new Trainer(cfg, base, Corpus.of(corpus.train), counting, null).run().completed());
        }
        assertEquals("one BM25 lookup per query view", cfg.steps * cfg.batchSize, asked.get());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        JsonNode first = new ObjectMapper().readTree(lines.get(0)).path("losses");
        JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1)).path("losses");
        assertTrue(first.has("infonce") && first.has("bow"));
        assertTrue("bow loss " + first.path("bow").asDouble() + " -> " + last.path("bow").asDouble(),
            last.path("bow").asDouble() < first.path("bow").asDouble());
    }

    @Test
    public void llm2irWithALexicalTeacherLearnsItsSimilarities() throws Exception {
        TrainConfig cfg = fullFineTuning("llm2ir", "llm2ir-lexical", 20);
        cfg.lexicalTeacher = 1.0;
        assertTrue(train(cfg).completed());
        List<String> lines = Files.readAllLines(cfg.outDir.resolve("metrics.jsonl"));
        ObjectMapper json = new ObjectMapper();
        double first = 0;
        double last = 0;
        for (int i = 0; i < 3; i++) {
            first += json.readTree(lines.get(i)).path("losses").path("lexical").asDouble(Double.NaN) / 3;
            last += json.readTree(lines.get(lines.size() - 1 - i)).path("losses").path("lexical").asDouble(Double.NaN) / 3;
        }
        assertTrue("lexical (KL to TF-IDF) loss, mean of the first and last 3 steps: " + first + " -> " + last, last < first);

        TrainConfig off = fullFineTuning("llm2ir", "llm2ir-lexical-off", 1);
        off.lexicalTeacher = 0;
        assertTrue(train(off).completed());
        JsonNode losses = json.readTree(Files.readAllLines(off.outDir.resolve("metrics.jsonl")).get(0)).path("losses");
        assertTrue("0 turns the teacher off: " + losses, losses.has("infonce") && !losses.has("lexical"));
    }

    @Test
    public void idfPoolingWritesTheCorpusWeightsBesideTheModel() throws Exception {
        TrainConfig cfg = fullFineTuning("llm2ir", "idf-pooling", 2);
        cfg.idfPooling = true;
        cfg.batchNeighbours = 2;
        Trainer.Result r = train(cfg);
        assertTrue(r.completed());
        assertEquals("weighted_mean", r.retriever().pooling());
        TokenWeights w = TokenWeights.read(r.modelDir()).orElseThrow();
        try (EncoderModel trained = EncoderModel.load(r.modelDir(), EncoderOptions.defaults().withPooling(Pooling.WEIGHTED_MEAN))) {
            // every synthetic document is mostly common English and has topic words of its own
            long common = trained.tokenizer().encode(" the", false)[0];
            long topic = trained.tokenizer().encode(corpus.train.get(0).text(), false)[0];
            assertEquals(w.size(), trained.model().vocabSize());
            assertTrue("idf(common) " + w.weight(common) + " < idf(topic) " + w.weight(topic), w.weight(common) < w.weight(topic));
            assertEquals(1f, w.weight(trained.padId()), 0f);
            assertEquals(trained.embed(List.of("some text"), Kind.QUERY).vectors()[0].length, trained.model().hiddenSize());
        }
        TrainConfig plain = fullFineTuning("llm2ir", "mean-pooling", 1);
        Trainer.Result p = train(plain);
        assertEquals("the base's pooling (the tests load it with the defaults)", "last_token", p.retriever().pooling());
        assertFalse(Files.exists(p.modelDir().resolve(TokenWeights.FILE)));
    }

    @Test
    public void trainedTokenWeightsMoveFromTheIdfAndAreWhatTheModelEmbedsWith() throws Exception {
        TrainConfig fixed = fullFineTuning("llm2ir", "idf-fixed", 4);
        fixed.idfPooling = true;
        TrainConfig trained = fullFineTuning("llm2ir", "idf-trained", 4);
        trained.idfPooling = true;
        trained.trainTokenWeights = true;
        TokenWeights idf = TokenWeights.read(train(fixed).modelDir()).orElseThrow();
        Trainer.Result r = train(trained);
        assertEquals("weighted_mean", r.retriever().pooling());
        TokenWeights learned = TokenWeights.read(r.modelDir()).orElseThrow();
        int moved = 0;
        for (int id = 0; id < idf.size(); id++) {
            moved += Math.abs(learned.weight(id) - idf.weight(id)) > 1e-4 ? 1 : 0;
        }
        assertTrue("weights of the corpus's tokens must have trained; moved: " + moved, moved > 10);
        assertEquals("a token in no document gets no gradient", idf.weight(0), learned.weight(0), 1e-6f);
        TrainConfig wrong = fullFineTuning("llm2ir", "idf-wrong", 1);
        wrong.trainTokenWeights = true;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, wrong::validate);
        assertTrue(e.getMessage(), e.getMessage().contains("--train-token-weights needs --pooling weighted_mean"));
    }

    @Test
    public void aMemoryQueueAddsEarlierStepsPassagesAsNegatives() throws Exception {
        TrainConfig plain = fullFineTuning("llm2ir", "queue-off", 3);
        TrainConfig queued = fullFineTuning("llm2ir", "queue-on", 3);
        queued.queueSize = 64;
        assertTrue(train(plain).completed());
        assertTrue(train(queued).completed());
        List<String> a = Files.readAllLines(plain.outDir.resolve("metrics.jsonl"));
        List<String> b = Files.readAllLines(queued.outDir.resolve("metrics.jsonl"));
        ObjectMapper json = new ObjectMapper();
        double a1 = json.readTree(a.get(0)).path("loss").asDouble();
        double b1 = json.readTree(b.get(0)).path("loss").asDouble();
        double a2 = json.readTree(a.get(1)).path("loss").asDouble();
        double b2 = json.readTree(b.get(1)).path("loss").asDouble();
        // Step 1: the queue is empty, same loss. Step 2: same weights, more candidates in the softmax, higher loss.
        assertEquals(a1, b1, 1e-4);
        assertTrue("step-2 loss with the queue " + b2 + " must exceed the loss without " + a2, b2 > a2 + 0.05);
    }

    @Test
    public void frozenEmbeddingsStayBitIdenticalWhileTheOtherWeightsTrain() throws Exception {
        TrainConfig cfg = fullFineTuning("llm2ir", "frozen-embeddings", 3);
        cfg.freezeEmbeddings = true;
        assertTrue(train(cfg).completed());
        try (SafetensorsFile before = SafetensorsFile.open(baseDir.resolve("model.safetensors"));
             SafetensorsFile after = SafetensorsFile.open(cfg.outDir.resolve("model").resolve("model.safetensors"))) {
            assertArrayEquals(before.readFloats("model.embed_tokens.weight"), after.readFloats("model.embed_tokens.weight"), 0f);
            assertFalse("the layers must train", java.util.Arrays.equals(before.readFloats("model.layers.0.mlp.up_proj.weight"),
                after.readFloats("model.layers.0.mlp.up_proj.weight")));
        }
        TrainConfig lora = config("llm2ir", "frozen-embeddings-lora", 3);
        lora.freezeEmbeddings = true;
        assertThrows(IllegalArgumentException.class, lora::validate);
    }

    @Test
    public void llaraAddsPlaceholderTokensThatAreSavedAndReloaded() throws Exception {
        TrainConfig cfg = config("llara,llm2ir", "llara", 6);
        Path out = cfg.outDir;
        int baseVocab;
        try (EncoderModel base = EncoderModel.load(baseDir, EncoderOptions.defaults())) {
            baseVocab = base.model().vocabSize();
            Trainer.Result r = new Trainer(cfg, base, Corpus.of(corpus.train), null, null).run();
            assertTrue(r.completed());
            assertEquals("suffix_mean:8", r.retriever().pooling());
            assertEquals("\"{text}\", summarize the above passage within eight words: <s1><s2><s3><s4><s5><s6><s7><s8>",
                r.retriever().passagePrompt());
            assertEquals("\"{text}\", predict the following passage within eight words: <s9><s10><s11><s12><s13><s14><s15><s16>",
                r.retriever().queryPrompt());
            JsonNode first = new ObjectMapper().readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
            assertTrue(first.path("losses").has("ebae") && first.path("losses").has("ebar") && first.path("losses").has("clm"));
        }
        EncoderOptions o = EncoderOptions.defaults().withPooling(Pooling.suffixMean(8))
            .withPrompts(LlaraObjective.queryPrompt(8), LlaraObjective.passagePrompt(8));
        try (EncoderModel trained = EncoderModel.load(out.resolve("model"), o)) {
            assertEquals("16 distinct placeholders, 8 per prompt", baseVocab + 16, trained.model().vocabSize());
            assertEquals(baseVocab, trained.tokenizer().tokenId("<s1>").getAsInt());
            assertEquals(baseVocab + 15, trained.tokenizer().tokenId("<s16>").getAsInt());
            long[] ids = trained.prepare(List.of("cats sleep"), Kind.PASSAGE).sequences().get(0);
            assertEquals(baseVocab + 7, ids[ids.length - 1]);
            long[] query = trained.prepare(List.of("cats sleep"), Kind.QUERY).sequences().get(0);
            assertEquals(baseVocab + 15, query[query.length - 1]);
            assertEquals(32, trained.embed(List.of("cats sleep"), Kind.QUERY).vectors()[0].length);
        }
        JsonNode config = new ObjectMapper().readTree(out.resolve("model/config.json").toFile());
        assertEquals(baseVocab + 16, config.path("vocab_size").asInt());
    }

    @Test
    public void clmFromRandomWeightsLowersTheLanguageModelLoss() throws Exception {
        TrainConfig cfg = fullFineTuning("clm", "clm", 25);
        cfg.lr = 5e-3;
        train(cfg);
        List<String> lines = Files.readAllLines(cfg.outDir.resolve("metrics.jsonl"));
        double first = new ObjectMapper().readTree(lines.get(0)).path("loss").asDouble();
        double last = new ObjectMapper().readTree(lines.get(lines.size() - 1)).path("loss").asDouble();
        assertTrue("clm loss " + first + " -> " + last, last < first * 0.8);
    }

    /** A run whose gradients stay NaN/Inf stops with a clear error and saves no model (it would embed NaN). */
    @Test
    public void divergedTrainingStopsAndSavesNothing() throws Exception {
        TrainConfig cfg = fullFineTuning("llm2ir", "diverged", 40);
        cfg.lr = 1e12; // AdamW moves every weight by ~lr: activations overflow within a step or two
        cfg.warmupSteps = 0;
        cfg.maxGradNorm = 0;
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> train(cfg));
        assertTrue(e.getMessage(), e.getMessage().contains("training diverged") && e.getMessage().contains("--lr"));
        assertFalse("no model is written", Files.exists(cfg.outDir.resolve("model")));
        // each skipped step is on record, with the arrays whose gradient held a NaN or Inf
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> skips = new ArrayList<>();
        for (String l : Files.readAllLines(cfg.outDir.resolve("metrics.jsonl"))) {
            JsonNode n = json.readTree(l);
            if (n.has("skipped_step")) {
                skips.add(n);
            }
        }
        assertEquals(5, skips.size());
        for (JsonNode n : skips) {
            assertEquals("non-finite gradient", n.path("reason").asText());
            assertTrue(n.toString(), n.path("non_finite_gradients").size() > 0 || !Double.isFinite(n.path("loss").asDouble(0)));
        }
    }

    /**
     * Every step's temporaries must die with the step: a leak into the model's manager grows native memory by
     * several weight copies per step (it OOM-killed a 300-step run before AdamW kept its temporaries scoped).
     */
    @Test
    public void stepsDoNotAccumulateArraysInTheModel() throws Exception {
        for (int rank : new int[] { 0, 4 }) {
            TrainConfig cfg = config("clm", "leak-" + rank, 8);
            cfg.loraRank = rank;
            cfg.weightDecay = 0.01;
            try (EncoderModel base = EncoderModel.load(baseDir, EncoderOptions.defaults())) {
                int[] owned = new int[cfg.steps];
                new Trainer(cfg, base, Corpus.of(corpus.train), null, new Trainer.Listener() {
                    @Override
                    public void stepEnded(int phase, String objective, int step, double loss, double tps) {
                        owned[step] = base.model().manager().getManagedArrays().size();
                    }
                }).run();
                // step 0 creates the optimizer moments; from then on the count must not move
                assertEquals("arrays owned by the model after step 1 vs step 7 (lora rank " + rank + ")", owned[1], owned[7]);
            }
        }
    }
}
