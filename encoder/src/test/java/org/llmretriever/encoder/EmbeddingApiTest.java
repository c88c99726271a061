package org.llmretriever.encoder;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.checkpoint.DTypes;
import org.llmretriever.encoder.checkpoint.SafetensorsFile;
import org.llmretriever.encoder.checkpoint.SafetensorsWriter;
import org.llmretriever.encoder.checkpoint.TensorDType;
import org.llmretriever.encoder.checkpoint.TensorInfo;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.model.RandomCheckpoints;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** Prompts, truncation, pooling, normalization, batching and half-precision checkpoint files. */
public class EmbeddingApiTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();
    private static Path dir;
    private static EncoderModel model;

    @BeforeClass
    public static void load() throws IOException {
        dir = RandomCheckpoints.write(tmp.newFolder("llama").toPath(), "llama", 5);
        model = EncoderModel.load(dir, EncoderOptions.defaults());
    }

    @AfterClass
    public static void close() {
        model.close();
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    public void vectorsAreNormalizedAndHaveTheModelDimension() {
        Embeddings e = model.embed(List.of("a query about cats", "rivers and bridges"), Kind.QUERY);
        assertEquals(2, e.vectors().length);
        for (float[] v : e.vectors()) {
            assertEquals(32, v.length);
            assertEquals(1.0, norm(v), 1e-5);
        }
        try (EncoderModel raw = EncoderModel.load(dir, EncoderOptions.defaults().withNormalize(false))) {
            float[] v = raw.embed(List.of("a query about cats"), Kind.QUERY).vectors()[0];
            assertTrue(Math.abs(norm(v) - 1) > 1e-3);
            double n = norm(v);
            for (int i = 0; i < v.length; i++) {
                assertEquals(e.vectors()[0][i], v[i] / n, 1e-5);
            }
        }
    }

    @Test
    public void lastTokenPoolingAppendsEosOnce() {
        List<long[]> seqs = model.prepare(List.of("cats sleep"), Kind.PASSAGE).sequences();
        long[] s = seqs.get(0);
        assertEquals(1, s[0]);                 // BOS from the tokenizer's template
        assertEquals(2, s[s.length - 1]);      // EOS appended
        assertTrue(s[s.length - 2] != 2);
        try (EncoderModel mean = EncoderModel.load(dir, EncoderOptions.defaults().withPooling(Pooling.MEAN))) {
            long[] m = mean.prepare(List.of("cats sleep"), Kind.PASSAGE).sequences().get(0);
            assertEquals(s.length - 1, m.length); // no EOS for mean pooling
        }
    }

    @Test
    public void promptsDifferPerKindAndChangeTheVector() {
        EncoderOptions o = EncoderOptions.defaults().withPrompts("query: {text}", "passage: {text}");
        try (EncoderModel prompted = EncoderModel.load(dir, o)) {
            float[] q = prompted.embed(List.of("cats"), Kind.QUERY).vectors()[0];
            float[] p = prompted.embed(List.of("cats"), Kind.PASSAGE).vectors()[0];
            float[] plain = model.embed(List.of("cats"), Kind.QUERY).vectors()[0];
            assertTrue(FamiliesTest.maxAbsDiff(q, p) > 1e-3);
            assertTrue(FamiliesTest.maxAbsDiff(q, plain) > 1e-3);
            // equal to embedding the prompted string without a template
            try (EncoderModel none = EncoderModel.load(dir, EncoderOptions.defaults())) {
                assertArrayEquals(q, none.embed(List.of("query: cats"), Kind.QUERY).vectors()[0], 1e-6f);
            }
        }
    }

    @Test
    public void truncationKeepsPromptAndEosAndIsCounted() {
        EncoderOptions o = EncoderOptions.defaults().withMaxTokens(24).withPrompts(null, "passage: {text} end");
        try (EncoderModel m = EncoderModel.load(dir, o)) {
            String longText = RandomCheckpoints.SAMPLE_TEXT;
            EncoderModel.Prepared p = m.prepare(List.of("short one", longText, longText.substring(0, 400)), Kind.PASSAGE);
            assertEquals(2, p.truncated());
            long[] t = p.sequences().get(1);
            assertEquals(24, t.length);
            assertEquals(1, t[0]);
            assertEquals(2, t[t.length - 1]);
            long[] suffix = m.tokenizer().encode(" end", false);
            for (int i = 0; i < suffix.length; i++) {
                assertEquals("prompt suffix kept", suffix[i], t[t.length - 1 - suffix.length + i]);
            }
            Embeddings e = m.embed(List.of("short one", longText), Kind.PASSAGE);
            assertEquals(1, e.truncated());
        }
    }

    @Test
    public void suffixMeanPoolsTheLastNTokens() {
        EncoderOptions o = EncoderOptions.defaults().withPooling(Pooling.suffixMean(3)).withNormalize(false);
        EncoderOptions last = EncoderOptions.defaults().withPooling(Pooling.MEAN).withNormalize(false);
        try (EncoderModel m = EncoderModel.load(dir, o); EncoderModel mm = EncoderModel.load(dir, last)) {
            // With a 3-token text (BOS + 2), suffix_mean:3 over it equals mean pooling over it.
            long[] ids = m.prepare(List.of("cats"), Kind.PASSAGE).sequences().get(0);
            if (ids.length == 3) {
                assertArrayEquals(mm.embed(List.of("cats"), Kind.PASSAGE).vectors()[0], m.embed(List.of("cats"), Kind.PASSAGE).vectors()[0], 1e-5f);
            }
            float[] a = m.embed(List.of("one two three four five"), Kind.PASSAGE).vectors()[0];
            float[] b = m.embed(List.of("zero one two three four five"), Kind.PASSAGE).vectors()[0];
            assertEquals(32, a.length);
            assertTrue(FamiliesTest.maxAbsDiff(a, b) > 0); // causal: earlier tokens still influence the suffix states
        }
    }

    @Test
    public void bucketingBoundsTokensPerBatchAndReducesPadding() {
        List<String> texts = new ArrayList<>();
        String[] words = RandomCheckpoints.SAMPLE_TEXT.split("\\s+");
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 60; i++) {
            int len = 1 + r.nextInt(i % 3 == 0 ? 80 : 8);
            texts.add(String.join(" ", java.util.Arrays.copyOfRange(words, 0, len)));
        }
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults().withBatching(1024, 16))) {
            List<long[]> seqs = m.prepare(texts, Kind.PASSAGE).sequences();
            List<List<Integer>> plan = EncoderModel.LengthBuckets.plan(seqs, 1024, 16);
            int covered = 0;
            for (List<Integer> b : plan) {
                int longest = b.stream().mapToInt(i -> seqs.get(i).length).max().orElse(0);
                assertTrue(b.size() <= 16 && (long) b.size() * longest <= 1024);
                covered += b.size();
            }
            assertEquals(60, covered);
            Embeddings e = m.embed(texts, Kind.PASSAGE);
            // naive: batches of 16 in input order
            long naive = 0;
            for (int s = 0; s < seqs.size(); s += 16) {
                int longest = 0;
                for (int i = s; i < Math.min(seqs.size(), s + 16); i++) {
                    longest = Math.max(longest, seqs.get(i).length);
                }
                naive += (long) longest * (Math.min(seqs.size(), s + 16) - s);
            }
            // Batches keep at least LengthBuckets.MIN_BUCKET inputs (GEMM efficiency), so some padding remains;
            // sorting by length must still remove most of the naive order's padding.
            double naiveEfficiency = (double) e.tokens() / naive;
            assertTrue("bucketed " + e.paddedTokens() + " vs naive " + naive, e.paddedTokens() < naive);
            assertTrue("padding efficiency " + e.paddingEfficiency() + " vs naive " + naiveEfficiency,
                1 - e.paddingEfficiency() < (1 - naiveEfficiency) / 2);
        }
    }

    @Test
    public void anActivationBudgetSplitsBatchesWithoutChangingTheVectors() {
        List<String> texts = new ArrayList<>();
        String[] words = RandomCheckpoints.SAMPLE_TEXT.split("\\s+");
        for (int i = 0; i < 24; i++) {
            texts.add(String.join(" ", java.util.Arrays.copyOfRange(words, i % 5, 20 + i % 7)));
        }
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults())) {
            m.setActivationBudget(0);
            Embeddings whole = m.embed(texts, Kind.PASSAGE);
            List<long[]> seqs = m.prepare(texts, Kind.PASSAGE).sequences();
            int longest = seqs.stream().mapToInt(x -> x.length).max().orElse(0);
            long perSequence = m.model().largestActivationBytes(1, longest, true);
            assertEquals("the model's activations grow linearly with the batch", 4 * perSequence, m.model().largestActivationBytes(4, longest, true));
            assertTrue("beyond the block-wise threshold only causal attention goes block-wise",
                m.model().largestActivationBytes(1, 4096, false) > m.model().largestActivationBytes(1, 4096, true));
            m.setActivationBudget(3 * perSequence); // at most 3 sequences per forward
            Embeddings split = m.embed(texts, Kind.PASSAGE);
            assertTrue("forwards " + split.batches() + " vs " + whole.batches(), split.batches() >= 8 && whole.batches() < split.batches());
            for (int i = 0; i < texts.size(); i++) {
                for (int j = 0; j < whole.vectors()[i].length; j++) {
                    assertEquals("text " + i + " dim " + j, whole.vectors()[i][j], split.vectors()[i][j], 1e-5f);
                }
            }
        }
        List<long[]> seqs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seqs.add(new long[10]);
        }
        List<List<Integer>> parts = EncoderModel.LengthBuckets.splitForActivations(
            List.of(java.util.stream.IntStream.range(0, 10).boxed().toList()), seqs, (b, t) -> b * t, 40);
        assertEquals("10 sequences, 4 fit: three balanced parts", List.of(4, 3, 3), parts.stream().map(List::size).toList());
    }

    /** Rewrites the tiny model's weights as BF16 or F16. */
    private static Path convert(TensorDType to) throws IOException {
        Path out = tmp.newFolder("as-" + to).toPath();
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(dir.resolve(f), out.resolve(f));
        }
        List<SafetensorsWriter.Tensor> tensors = new ArrayList<>();
        try (SafetensorsFile src = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (Map.Entry<String, TensorInfo> e : src.tensors().entrySet()) {
                float[] v = src.readFloats(e.getKey());
                ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    b.putShort(to == TensorDType.BF16 ? DTypes.floatToBf16(x) : Float.floatToFloat16(x));
                }
                b.flip();
                tensors.add(new SafetensorsWriter.Tensor(e.getKey(), to, e.getValue().shape(), b));
            }
        }
        SafetensorsWriter.write(out.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return out;
    }

    @Test
    public void bf16AndF16CheckpointsLoadWidenedAndMatch() throws IOException {
        List<String> texts = List.of("The river flows through the old town.", "Cats sleep.");
        float[][] ref = model.embed(texts, Kind.PASSAGE).vectors();
        for (TensorDType t : List.of(TensorDType.BF16, TensorDType.F16)) {
            Path d = convert(t);
            try (EncoderModel m = EncoderModel.load(d, EncoderOptions.defaults())) {
                assertEquals(ai.djl.ndarray.types.DataType.FLOAT32, m.model().dtype());
                float diff = FamiliesTest.maxAbsDiff(ref, m.embed(texts, Kind.PASSAGE).vectors());
                assertTrue(t + " diff " + diff, diff < (t == TensorDType.BF16 ? 5e-2 : 5e-3));
                // exactly the widened values
                try (SafetensorsFile f = SafetensorsFile.open(d.resolve("model.safetensors"))) {
                    float[] expected = f.readFloats("model.norm.weight");
                    assertArrayEquals(expected, m.model().stateDict().get("model.norm.weight").toFloatArray(), 0f);
                }
            }
        }
    }

    @Test
    public void bf16ConversionRoundsToNearestEven() {
        assertEquals(1.0f, DTypes.bf16ToFloat(DTypes.floatToBf16(1.0f)), 0f);
        assertEquals(Float.intBitsToFloat(0x3f810000), DTypes.bf16ToFloat(DTypes.floatToBf16(Float.intBitsToFloat(0x3f808001))), 0f);
        assertEquals(Float.intBitsToFloat(0x3f800000), DTypes.bf16ToFloat(DTypes.floatToBf16(Float.intBitsToFloat(0x3f808000))), 0f);
        assertTrue(Float.isNaN(DTypes.bf16ToFloat(DTypes.floatToBf16(Float.NaN))));
    }
}
