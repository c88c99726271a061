package org.llmretriever.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.llmretriever.cli.Main;
import org.llmretriever.cli.TinyModelNode;

import org.llmretriever.trainer.collection.MsMarcoLoaderTest;
import org.llmretriever.trainer.collection.TrecCollectionsTest;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * {@code eval} through one real node on each input form — a TREC collection in the single-file {@code <DOC>}
 * layout, a BEIR directory and an MS MARCO TSV directory — with a tiny model: the document and judged-query
 * counts are the fixtures', and metrics come out. Plus a refusal, which stops before anything is indexed, and
 * {@code eval --local} scoring the same model as the engine does.
 */
public class EvalFormsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ClassRule
    public static final TinyModelNode node = new TinyModelNode("eval-forms", 7);

    @BeforeClass
    public static void registerTinyModel() throws Exception {
        node.client().put("/_plugins/_llm_retriever/models/tiny", Map.of("path", "tiny"));
    }

    private record Result(int code, String out, String err) {}

    private static Result eval(String... formArgs) {
        List<String> args = new ArrayList<>(List.of("eval", "--opensearch", node.url(), "--model", "tiny", "--k", "10"));
        args.addAll(List.of(formArgs));
        if (!args.contains("--methods")) {
            args.addAll(List.of("--methods", "bm25,dense"));
        }
        return run(args);
    }

    /** Runs the CLI in-process with {@code args}, capturing what it prints. */
    private static Result run(List<String> args) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        PrintStream original = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true));
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args.toArray(String[]::new));
        } finally {
            System.setOut(original);
        }
        System.out.println(captured + err.toString());
        return new Result(code, captured.toString(), err.toString());
    }

    /** Mean metrics of both methods were written, and BM25 finds the fixture's relevant documents. */
    private static void assertMetrics(Path out) throws Exception {
        JsonNode methods = JSON.readTree(out.resolve("results.json").toFile()).path("methods");
        for (String m : List.of("bm25", "dense")) {
            for (String metric : List.of("ndcg@10", "recall@100", "mrr@10", "map")) {
                assertTrue(m + " " + metric, methods.path(m).path(metric).isNumber());
            }
        }
        assertTrue(methods.toString(), methods.path("bm25").path("mrr@10").asDouble() > 0);
    }

    /** {@code eval} of one input form into out-{@code name} succeeds, reports the dataset's counts and writes the metrics. */
    private static void assertEvaluates(String name, String datasetCounts, String... formArgs) throws Exception {
        Path out = node.dir().resolve("out-" + name);
        List<String> args = new ArrayList<>(List.of(formArgs));
        args.addAll(List.of("--out", out.toString()));
        Result r = eval(args.toArray(String[]::new));
        assertEquals(r.out + r.err, 0, r.code);
        assertTrue(r.out, r.out.contains("dataset " + datasetCounts));
        assertMetrics(out);
    }

    /** A BEIR directory {@code name} under the node's directory: 20 documents, 2 judged test queries. */
    private static Path writeBeir(String name) throws Exception {
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            corpus.append(JSON.writeValueAsString(Map.of("_id", "d" + i, "title", "title " + i, "text", "text about subject " + (i % 5) + " number " + i)))
                .append('\n');
        }
        return writeBeir(name, corpus, JSON.writeValueAsString(Map.of("_id", "q1", "text", "subject 1 number 6")) + "\n"
            + JSON.writeValueAsString(Map.of("_id", "q2", "text", "title 3")) + "\n", "query-id\tcorpus-id\tscore\nq1\td6\t1\nq2\td3\t1\n");
    }

    /** A BEIR directory {@code name} under the node's directory from its three files' contents (test qrels). */
    private static Path writeBeir(String name, CharSequence corpusJsonl, CharSequence queriesJsonl, CharSequence testQrels) throws Exception {
        Path dir = Files.createDirectories(node.dir().resolve(name));
        Files.writeString(dir.resolve("corpus.jsonl"), corpusJsonl);
        Files.writeString(dir.resolve("queries.jsonl"), queriesJsonl);
        Files.createDirectories(dir.resolve("qrels"));
        Files.writeString(dir.resolve("qrels/test.tsv"), testQrels);
        return dir;
    }

    @Test
    public void trecSingleFileCollection() throws Exception {
        Path dir = Files.createDirectories(node.dir().resolve("cran"));
        Path docs = Files.writeString(dir.resolve("cran.all.1400"), TrecCollectionsTest.bareRecords(30));
        Path topics = Files.writeString(dir.resolve("cran.qry"), TrecCollectionsTest.CLOSED_TOPICS);
        Path qrels = Files.writeString(dir.resolve("cranqrel"), "1 0 1 1\n1 0 2 2\n2 0 4 1\n3 0 5 1\n");
        assertEvaluates("cran", "cran: 30 documents, 3 judged queries",
            "--trec-docs", docs.toString(), "--topics", topics.toString(), "--qrels", qrels.toString(), "--name", "cran");
        assertEquals(30, node.client().get("/eval-cran-tiny/_count").path("count").asLong());
    }

    @Test
    public void beirDirectory() throws Exception {
        Path dir = writeBeir("beir-tiny");
        assertEvaluates("beir", "beir-tiny: 20 documents, 2 judged queries", "--beir", dir.toString());
    }

    @Test
    public void hybridWithDenseWeightZeroRanksAsBm25AndRecordsItsSettings() throws Exception {
        Path dir = writeBeir("beir-weights");
        Path out = node.dir().resolve("out-weights");
        Result r = eval("--beir", dir.toString(), "--methods", "bm25,hybrid", "--dense-weight", "0", "--rank-constant", "20", "--out", out.toString());
        assertEquals(r.out + r.err, 0, r.code);
        JsonNode methods = JSON.readTree(out.resolve("results.json").toFile()).path("methods");
        JsonNode bm25 = methods.path("bm25").path("per_query");
        JsonNode hybrid = methods.path("hybrid").path("per_query");
        assertEquals("a dense weight of 0 leaves BM25's ranking", bm25, hybrid);
        assertEquals(0.0, methods.path("hybrid").path("settings").path("dense_weight").asDouble(-1), 0.0);
        assertEquals(20, methods.path("hybrid").path("settings").path("rank_constant").asInt());
        Result bad = eval("--beir", dir.toString(), "--dense-weight", "-1");
        assertEquals(1, bad.code);
        assertTrue(bad.err, bad.err.contains("--dense-weight must be a finite number >= 0, got -1.0"));
    }

    @Test
    public void reusesAnIndexOnlyWhileTheModelIsTheSameRegistration() throws Exception {
        Path beir = writeBeir("beir-reuse");
        Result first = eval("--beir", beir.toString(), "--out", node.dir().resolve("out-reuse-1").toString());
        assertEquals(first.out + first.err, 0, first.code);
        Result again = eval("--beir", beir.toString(), "--out", node.dir().resolve("out-reuse-2").toString());
        assertTrue(again.out, again.out.contains("reusing index"));
        // registered again under the same name (a new copy and version): the old vectors must not be scored
        node.client().put("/_plugins/_llm_retriever/models/tiny", Map.of("path", "tiny"));
        Result after = eval("--beir", beir.toString(), "--out", node.dir().resolve("out-reuse-3").toString());
        assertEquals(after.out + after.err, 0, after.code);
        assertTrue(after.out, after.out.contains("was embedded by another model or other settings: rebuilt"));
        assertMetrics(node.dir().resolve("out-reuse-3"));
    }

    /**
     * The fast loop must measure what the engine measures: {@code eval --local} (in-process embedding, exact cosine)
     * and {@code eval} through the node (register, pipeline ingest, {@code llm_knn} on Lucene HNSW) give the same
     * per-query metrics for the same model directory, with the defaults of both paths (pooling, max_tokens, prompts).
     */
    @Test
    public void localEvalAgreesWithTheEngineOnTheSameModel() throws Exception {
        StringBuilder corpus = new StringBuilder();
        StringBuilder queries = new StringBuilder();
        StringBuilder qrels = new StringBuilder("query-id\tcorpus-id\tscore\n");
        String[] words = { "river", "stone", "market", "winter", "engine", "garden", "letter", "silver", "forest", "harbour" };
        for (int i = 0; i < 40; i++) {
            corpus.append(JSON.writeValueAsString(Map.of("_id", "d" + i, "title", words[i % 10] + " " + i,
                "text", "notes on the " + words[i % 10] + " and the " + words[(i * 3 + 1) % 10] + ", part " + i))).append('\n');
        }
        for (int q = 0; q < 12; q++) {
            queries.append(JSON.writeValueAsString(Map.of("_id", "q" + q, "text", "the " + words[q % 10] + " and the " + words[(q * 3 + 1) % 10])))
                .append('\n');
            qrels.append("q").append(q).append("\td").append(q).append("\t1\n").append("q").append(q).append("\td").append(q + 20).append("\t2\n");
        }
        Path dir = writeBeir("beir-local", corpus, queries, qrels);
        String model = node.dir().resolve("models/tiny").toString();
        Path engineOut = node.dir().resolve("out-engine");
        Path localOut = node.dir().resolve("out-local");
        Result engine = run(List.of("eval", "--opensearch", node.url(), "--models-path", node.dir().resolve("models").toString(),
            "--model-path", model, "--beir", dir.toString(), "--methods", "dense", "--k", "40", "--out", engineOut.toString()));
        assertEquals(engine.out + engine.err, 0, engine.code);
        Result local = run(List.of("eval", "--local", "--model-path", model, "--beir", dir.toString(), "--k", "40", "--out", localOut.toString()));
        assertEquals(local.out + local.err, 0, local.code);

        JsonNode e = JSON.readTree(engineOut.resolve("results.json").toFile()).path("methods").path("dense").path("per_query");
        JsonNode l = JSON.readTree(localOut.resolve("results.json").toFile()).path("methods").path("dense").path("per_query");
        assertEquals(12, e.size());
        assertEquals(12, l.size());
        int ranksBelowFirst = 0;
        for (var it = e.fieldNames(); it.hasNext(); ) {
            String q = it.next();
            for (String metric : List.of("ndcg@10", "mrr@10", "map")) {
                assertEquals(q + " " + metric, e.path(q).path(metric).asDouble(), l.path(q).path(metric).asDouble(-1), 1e-6);
            }
            ranksBelowFirst += e.path(q).path("mrr@10").asDouble() < 1 ? 1 : 0;
        }
        // a random tiny model ranks the judged documents anywhere: the comparison covers real rank positions, not only hits at 1
        assertTrue(e.toString(), ranksBelowFirst >= 3);
    }

    @Test
    public void msMarcoTsvDirectory() throws Exception {
        Path dir = MsMarcoLoaderTest.write(Files.createDirectories(node.dir().resolve("msmarco")), 16, true);
        assertEvaluates("msmarco", "msmarco-dev.small: 16 documents, 2 judged queries", "--msmarco", dir.toString());
    }

    @Test
    public void refusesBeforeIndexing() throws Exception {
        Path dir = Files.createDirectories(node.dir().resolve("bad"));
        Path docs = Files.writeString(dir.resolve("docs"), TrecCollectionsTest.bareRecords(10));
        Path topics = Files.writeString(dir.resolve("topics"), "<top>\n<num>9</num><title>x</title>\n</top>\n");
        Path qrels = Files.writeString(dir.resolve("qrels"), "1 0 1 1\n");
        Result r = eval("--trec-docs", docs.toString(), "--topics", topics.toString(), "--qrels", qrels.toString(), "--name", "bad");
        assertEquals(1, r.code);
        assertTrue(r.err, r.err.contains("1 of the 1 queries judged in " + qrels + " have no text in " + topics));
        assertFalse(r.out, r.out.contains("indexed"));
        assertFalse(node.client().exists("/eval-bad-tiny"));
    }
}
