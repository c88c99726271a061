package org.llmretriever.eval;

import me.tongfei.progressbar.ProgressBar;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.encoder.EncoderModel;
import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.embed.Pooling;
import org.llmretriever.encoder.model.RandomCheckpoints;
import org.llmretriever.trainer.collection.Dataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/** In-process dense search: exact top-k, options as the plugin would get them, and a run a query can be found by. */
public class LocalDenseSearchTest {
    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static ProgressBar bar(String task, Long total) {
        return new ProgressBar(task, total);
    }

    @Test
    public void topKIsExactAndOrderedByCosine() {
        float[][] docs = { { 1, 0 }, { 0, 1 }, { 1, 1 }, { -1, 0 } };
        List<TrecMetrics.Hit> hits = LocalDenseSearch.topK(new float[] { 2, 1 }, docs, List.of("a", "b", "c", "d"), 3);
        assertEquals(List.of("c", "a", "b"), hits.stream().map(TrecMetrics.Hit::doc).toList());
        assertEquals(3 / Math.sqrt(10), hits.get(0).score(), 1e-6); // cos((2,1),(1,1))
        assertTrue(hits.get(0).score() >= hits.get(1).score() && hits.get(1).score() >= hits.get(2).score());
    }

    @Test
    public void optionsComeFromRetrieverJsonThenOverrides() throws Exception {
        Path run = tmp.newFolder("run").toPath();
        Path model = Files.createDirectories(run.resolve("model"));
        Files.writeString(run.resolve("retriever.json"),
            "{\"pooling\":\"mean\",\"query_prompt\":\"q: {text}\",\"passage_prompt\":\"\",\"max_tokens\":64,\"attention\":\"bidirectional\"}");
        EncoderOptions o = LocalDenseSearch.options(model, null, null, null);
        assertEquals(Pooling.MEAN, o.pooling());
        assertEquals(64, o.maxTokens());
        assertEquals(EncoderOptions.Attention.BIDIRECTIONAL, o.attention());
        assertEquals("q: {text}", o.queryPrompt().toString());
        EncoderOptions over = LocalDenseSearch.options(model, "last_token", 32, "causal");
        assertEquals(Pooling.LAST_TOKEN, over.pooling());
        assertEquals(32, over.maxTokens());
        assertEquals(EncoderOptions.Attention.CAUSAL, over.attention());
    }

    @Test
    public void aQueryEqualToADocumentFindsItFirst() throws Exception {
        Path dir = RandomCheckpoints.write(tmp.newFolder("tiny").toPath(), "llama", 11);
        Map<String, Dataset.Doc> docs = new LinkedHashMap<>();
        String[] texts = { "rivers and bridges of the old town", "cats sleep in the warm sun", "the committee voted on the budget",
            "proteins fold into shapes", "a storm crossed the northern sea" };
        for (int i = 0; i < texts.length; i++) {
            docs.put("d" + i, new Dataset.Doc("", texts[i]));
        }
        Map<String, String> queries = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
        for (int i = 0; i < texts.length; i++) {
            queries.put("q" + i, texts[i]);
            qrels.put("q" + i, Map.of("d" + i, 1));
        }
        Dataset ds = new Dataset("toy", docs, queries, qrels);
        try (EncoderModel m = EncoderModel.load(dir, EncoderOptions.defaults().withPooling(Pooling.MEAN))) {
            Map<String, Map<String, List<TrecMetrics.Hit>>> runs = new LocalDenseSearch(m, LocalDenseSearchTest::bar).runs(ds, 3, true);
            assertEquals(List.of("dense", "dense-centered", "dense-standardized"), List.copyOf(runs.keySet()));
            EvalReport r = new EvalReport("toy", "tiny");
            r.add("dense", ds, runs.get("dense"));
            assertEquals("identical text must be the nearest document", 1.0, r.mean("dense", "mrr@10"), 1e-9);
            for (List<TrecMetrics.Hit> hits : runs.get("dense").values()) {
                assertEquals(3, hits.size());
                assertEquals(1.0, hits.get(0).score(), 1e-5);
            }
        }
    }
}
