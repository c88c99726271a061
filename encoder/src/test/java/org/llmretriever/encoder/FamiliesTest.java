package org.llmretriever.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.lora.Lora;
import org.llmretriever.encoder.lora.LoraConfig;
import org.llmretriever.encoder.lora.PeftAdapter;
import org.llmretriever.encoder.model.AttentionMask;
import org.llmretriever.encoder.model.CheckpointSaver;
import org.llmretriever.encoder.model.DecoderModel;
import org.llmretriever.encoder.model.LoraAdapter;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.encoder.model.TokenBatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Invariances every family must satisfy, on tiny random checkpoints. */
@RunWith(Parameterized.class)
public class FamiliesTest {
    static final List<String> TEXTS = List.of(
        "The river flows through the old town.",
        "Cats sleep.",
        "A dense retriever maps queries and passages to vectors so that relevant pairs lie close together, and the k nearest neighbours are found with HNSW.",
        "Proteins fold into shapes that determine their function.");

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    private static Path root;

    @Parameterized.Parameters(name = "{0}")
    public static List<Object[]> variants() {
        List<Object[]> out = new ArrayList<>();
        for (String v : RandomCheckpoints.VARIANTS) {
            out.add(new Object[] { v });
        }
        return out;
    }

    private final String variant;

    public FamiliesTest(String variant) {
        this.variant = variant;
    }

    @BeforeClass
    public static void writeModels() throws Exception {
        root = tmp.newFolder("models").toPath();
        for (String v : RandomCheckpoints.VARIANTS) {
            RandomCheckpoints.write(root.resolve(v), v, 42);
        }
    }

    @AfterClass
    public static void done() {}

    private Path dir() {
        return root.resolve(variant);
    }

    static float maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static float maxAbsDiff(float[][] a, float[][] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, maxAbsDiff(a[i], b[i]));
        }
        return m;
    }

    /** Hidden states of the real tokens of each sequence, flattened. */
    static List<float[]> hiddenStates(DecoderModel m, TokenBatch tb) {
        try (NDManager s = m.manager().newSubManager()) {
            TokenBatch.Inputs in = tb.toArrays(s);
            NDArray h = m.forward(in.ids(), in.positions(), AttentionMask.causal(in.keyValid())).toType(DataType.FLOAT32, false);
            int d = (int) h.getShape().get(2);
            float[] all = h.toFloatArray();
            List<float[]> out = new ArrayList<>();
            for (int b = 0; b < tb.size(); b++) {
                int start = tb.start(b);
                int len = tb.length(b);
                out.add(Arrays.copyOfRange(all, (b * tb.length() + start) * d, (b * tb.length() + start + len) * d));
            }
            return out;
        }
    }

    @Test
    public void embeddingsDoNotDependOnBatchCompositionOrPaddingSide() {
        for (Pooling pooling : List.of(Pooling.LAST_TOKEN, Pooling.MEAN, Pooling.suffixMean(3))) {
            EncoderOptions base = EncoderOptions.defaults().withPooling(pooling);
            try (EncoderModel left = EncoderModel.load(dir(), base);
                 EncoderModel right = EncoderModel.load(dir(), base.withPaddingSide(TokenBatch.PaddingSide.RIGHT))) {
                float[][] batched = left.embed(TEXTS, Kind.PASSAGE).vectors();
                float[][] rightBatched = right.embed(TEXTS, Kind.PASSAGE).vectors();
                float[][] single = new float[TEXTS.size()][];
                for (int i = 0; i < TEXTS.size(); i++) {
                    single[i] = left.embed(List.of(TEXTS.get(i)), Kind.PASSAGE).vectors()[0];
                }
                assertTrue(variant + " " + pooling + " batch vs single", maxAbsDiff(batched, single) < 1e-5);
                assertTrue(variant + " " + pooling + " left vs right padding", maxAbsDiff(batched, rightBatched) < 1e-5);
                // and the texts are actually told apart
                assertTrue(maxAbsDiff(batched[0], batched[1]) > 1e-3);
            }
        }
    }

    @Test
    public void blockwiseAttentionEqualsFullAttention() {
        try (EncoderModel m = EncoderModel.load(dir(), EncoderOptions.defaults())) {
            List<long[]> seqs = m.prepare(TEXTS, Kind.PASSAGE).sequences();
            assertTrue("need sequences longer than two blocks", seqs.stream().mapToInt(s -> s.length).max().orElse(0) > 20);
            TokenBatch tb = TokenBatch.of(seqs, m.padId(), TokenBatch.PaddingSide.LEFT);
            m.model().setBlockwiseAttention(Integer.MAX_VALUE, 4);
            List<float[]> full = hiddenStates(m.model(), tb);
            m.model().setBlockwiseAttention(8, 4); // block-wise for every sequence here, blocks of 4 tokens
            List<float[]> blockwise = hiddenStates(m.model(), tb);
            m.model().setBlockwiseAttention(8, 5); // block size not dividing the length
            List<float[]> blockwise5 = hiddenStates(m.model(), tb);
            for (int i = 0; i < full.size(); i++) {
                assertTrue(variant + " seq " + i, maxAbsDiff(full.get(i), blockwise.get(i)) < 1e-5);
                assertTrue(variant + " seq " + i + " (block 5)", maxAbsDiff(full.get(i), blockwise5.get(i)) < 1e-5);
            }
        }
    }

    @Test
    public void loraWithZeroBEqualsBaseAndMergedEqualsUnmerged() throws Exception {
        try (EncoderModel m = EncoderModel.load(dir(), EncoderOptions.defaults())) {
            float[][] base = m.embed(TEXTS, Kind.QUERY).vectors();
            DecoderModel dm = m.model();
            Map<String, LoraAdapter> adapters = Lora.attach(dm, new LoraConfig(4, 8, 0.0f, Lora.defaultTargets(dm)), 7);
            assertEquals(dm.spec().family().equals("gpt_neox") ? 4 * 2 : 7 * 2, adapters.size());
            float[][] zeroB = m.embed(TEXTS, Kind.QUERY).vectors();
            assertTrue(variant + " zero-B LoRA must not change outputs", maxAbsDiff(base, zeroB) < 1e-6);
            // Give B random values: now outputs change, and merging must reproduce them.
            java.util.Random r = new java.util.Random(3);
            for (LoraAdapter a : adapters.values()) {
                float[] v = new float[(int) a.b().getShape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) r.nextGaussian() * 0.5f;
                }
                a.b().set(v);
            }
            float[][] unmerged = m.embed(TEXTS, Kind.QUERY).vectors();
            assertTrue("random B must change outputs", maxAbsDiff(base, unmerged) > 1e-3);
            Path adapterDir = tmp.newFolder("adapter-" + variant).toPath();
            PeftAdapter.save(dm, new LoraConfig(4, 8, 0.0f, Lora.defaultTargets(dm)), adapterDir, dir().toString());
            Lora.merge(dm);
            assertTrue(Lora.adapters(dm).isEmpty());
            float[][] merged = m.embed(TEXTS, Kind.QUERY).vectors();
            assertTrue(variant + " merged vs unmerged", maxAbsDiff(unmerged, merged) < 1e-5);
            // The saved PEFT adapter, loaded onto a fresh base, gives the same vectors.
            try (EncoderModel reloaded = EncoderModel.load(dir(), EncoderOptions.defaults().withAdapter(adapterDir))) {
                assertTrue(variant + " PEFT reload", maxAbsDiff(unmerged, reloaded.embed(TEXTS, Kind.QUERY).vectors()) < 1e-5);
            }
        }
    }

    @Test
    public void saveThenLoadIsBitExactAndShardedEqualsSingleFile() throws Exception {
        Path single = tmp.newFolder("single-" + variant).toPath();
        Path sharded = tmp.newFolder("sharded-" + variant).toPath();
        try (EncoderModel m = EncoderModel.load(dir(), EncoderOptions.defaults())) {
            float[][] before = m.embed(TEXTS, Kind.PASSAGE).vectors();
            CheckpointSaver.save(m.model(), m.tokenizer(), dir(), single, Long.MAX_VALUE);
            List<Path> shards = CheckpointSaver.save(m.model(), m.tokenizer(), dir(), sharded, 20_000);
            assertTrue("expected several shards, got " + shards, shards.size() > 2);
            assertTrue(Files.exists(sharded.resolve("model.safetensors.index.json")));
            try (EncoderModel a = EncoderModel.load(single, EncoderOptions.defaults());
                 EncoderModel b = EncoderModel.load(sharded, EncoderOptions.defaults())) {
                float[][] afterSingle = a.embed(TEXTS, Kind.PASSAGE).vectors();
                float[][] afterSharded = b.embed(TEXTS, Kind.PASSAGE).vectors();
                for (int i = 0; i < before.length; i++) {
                    assertArrayEquals("round trip must be bit-exact", before[i], afterSingle[i], 0f);
                    assertArrayEquals("sharded must equal single-file", afterSingle[i], afterSharded[i], 0f);
                }
                for (Map.Entry<String, NDArray> e : m.model().stateDict().entrySet()) {
                    assertArrayEquals(e.getKey(), e.getValue().toFloatArray(), a.model().stateDict().get(e.getKey()).toFloatArray(), 0f);
                }
            }
        }
    }

    @Test
    public void float16MatchesFloat32Closely() {
        try (EncoderModel f32 = EncoderModel.load(dir(), EncoderOptions.defaults());
             EncoderModel f16 = EncoderModel.load(dir(), EncoderOptions.defaults().withDevice(EncoderOptions.DeviceChoice.CPU,
                 EncoderOptions.DTypeChoice.FLOAT16))) {
            assertEquals(DataType.FLOAT16, f16.model().dtype());
            float[][] a = f32.embed(TEXTS, Kind.PASSAGE).vectors();
            float[][] b = f16.embed(TEXTS, Kind.PASSAGE).vectors();
            float diff = maxAbsDiff(a, b);
            assertTrue(variant + " fp16 vs fp32: " + diff, diff < 2e-2);
        }
    }

    @Test
    public void logitsCoverTheVocabulary() {
        try (EncoderModel m = EncoderModel.load(dir(), EncoderOptions.defaults()); NDManager s = m.model().manager().newSubManager()) {
            TokenBatch.Inputs in = TokenBatch.of(List.of(new long[] { 1, 50, 60 }), m.padId(), TokenBatch.PaddingSide.RIGHT).toArrays(s);
            NDArray logits = m.model().logits(m.model().forward(in.ids(), in.positions(), AttentionMask.causal(in.keyValid())));
            assertEquals(new Shape(1, 3, RandomCheckpoints.vocabSize()), logits.getShape());
            assertTrue(Stream.of(logits.isNaN().any().getBoolean()).noneMatch(Boolean::booleanValue));
        }
    }
}
