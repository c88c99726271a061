package org.llmretriever.trainer.collection;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.corpus.TrecCorpus;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** BEIR and TREC/CACM loaders, including malformed input reported with file and line. */
public class LoadersTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path beir(String corpus, String queries, String qrels) throws Exception {
        Path d = tmp.newFolder().toPath();
        Files.writeString(d.resolve("corpus.jsonl"), corpus);
        Files.writeString(d.resolve("queries.jsonl"), queries);
        Files.createDirectories(d.resolve("qrels"));
        Files.writeString(d.resolve("qrels/test.tsv"), qrels);
        return d;
    }

    @Test
    public void beirLoads() throws Exception {
        Path d = beir("{\"_id\": \"d1\", \"title\": \"T\", \"text\": \"body one\"}\n{\"_id\": \"d2\", \"title\": \"\", \"text\": \"body two\"}\n",
            "{\"_id\": \"q1\", \"text\": \"first\"}\n{\"_id\": \"q2\", \"text\": \"second\"}\n",
            "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\n");
        Dataset ds = BeirLoader.load(d, "test");
        assertEquals(2, ds.documents().size());
        assertEquals("T\n\nbody one", ds.documents().get("d1").contents());
        assertEquals("body two", ds.documents().get("d2").contents());
        assertEquals(java.util.List.of("q1"), ds.judgedQueries());
        assertEquals(Integer.valueOf(2), ds.qrels().get("q1").get("d2"));
    }

    @Test
    public void malformedBeirLinesNameFileAndLine() throws Exception {
        Path d = beir("{\"_id\": \"d1\", \"text\": \"ok\"}\n{not json\n", "{\"_id\": \"q1\", \"text\": \"x\"}\n", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> BeirLoader.load(d, "test"));
        assertTrue(e.getMessage(), e.getMessage().contains("corpus.jsonl:2: not valid JSON"));
        Path d2 = beir("{\"_id\": \"d1\", \"text\": \"ok\"}\n", "{\"text\": \"no id\"}\n", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> BeirLoader.load(d2, "test")).getMessage().contains("queries.jsonl:1: missing \"_id\""));
        Path d3 = beir("{\"_id\": \"d1\", \"text\": \"ok\"}\n", "{\"_id\": \"q1\", \"text\": \"x\"}\n", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1 d2\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> BeirLoader.load(d3, "test")).getMessage().contains("test.tsv:3: expected 3 columns"));
        Path d4 = beir("{\"_id\": \"d1\", \"text\": \"ok\"}\n", "{\"_id\": \"q1\", \"text\": \"x\"}\n", "query-id\tcorpus-id\tscore\nq1\td1\thigh\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> BeirLoader.load(d4, "test")).getMessage().contains("relevance 'high' is not an integer"));
    }

    @Test
    public void cacmLayoutLoadsWithUnpaddedQrelIds() throws Exception {
        Path docs = tmp.getRoot().toPath().resolve("cacm.tar.gz");
        TrecCollectionsTest.tar(docs, true, false, "CACM-0115.html", "<html>\n<pre>\n\n\nRounding Problems\n\nA common requirement is\nrounding.\n\nCACM November, 1964\n\n981\t5\t981\n</pre>\n</html>\n",
            "CACM-2001.html", "<html><pre>\nOperating Systems\n\nTime sharing.\n</pre></html>");
        Path topics = tmp.newFile("topics.txt").toPath();
        Files.writeString(topics, "<DOC>\n<DOCNO> 1 </DOCNO>\n\n What articles exist which deal with TSS?\n</DOC>\n<DOC>\n<DOCNO> 2 </DOCNO>\n rounding\n</DOC>\n");
        Path qrels = tmp.newFile("qrels.txt").toPath();
        Files.writeString(qrels, "1 Q0 CACM-2001 1\n2 Q0 CACM-115 1\n");
        Dataset ds = TrecLoader.load("cacm", docs, topics, qrels);
        assertEquals(2, ds.documents().size());
        Dataset.Doc d = ds.documents().get("CACM-115");
        assertEquals("Rounding Problems", d.title());
        assertEquals("A common requirement is rounding. CACM November, 1964", d.text());
        assertEquals("What articles exist which deal with TSS?", ds.queries().get("1"));
        assertEquals(Integer.valueOf(1), ds.qrels().get("2").get("CACM-115"));
        assertTrue("qrels ids match document ids", ds.documents().containsKey(ds.qrels().get("2").keySet().iterator().next()));
    }

    @Test
    public void adaptReadsTheSameTrecDocumentsAsEval() throws Exception {
        Path docs = tmp.getRoot().toPath().resolve("docs.tar.gz");
        TrecCollectionsTest.tar(docs, true, false, "CACM-0007.html", "<html><pre>\nCompilers\n\nParsing tables.\n</pre></html>", "CACM-0008.html", "<html><pre>\n\n</pre></html>");
        TrecCorpus corpus = new TrecCorpus(docs);
        List<Document> read = new ArrayList<>();
        corpus.read(read::add);
        assertEquals(List.of(new Document("CACM-7", "Compilers\n\nParsing tables.")), read);
        assertEquals(2, corpus.stats().read());
        assertEquals(1, corpus.stats().skippedEmpty());
        assertTrue(assertThrows(java.io.IOException.class, () -> new TrecCorpus(tmp.getRoot().toPath().resolve("missing.tar.gz")).read(d -> {}))
            .getMessage().contains("missing.tar.gz"));
    }

    @Test
    public void trecTopTopicsAndMalformedQrels() throws Exception {
        Path topics = tmp.newFile("t.txt").toPath();
        Files.writeString(topics, "<top>\n<num> Number: 301\n<title> International Organized Crime\n<desc> Description:\nblah\n</top>\n");
        assertEquals("International Organized Crime", TrecLoader.readTopics(topics).get("301"));
        Files.writeString(topics, "nothing here\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> TrecLoader.readTopics(topics)).getMessage().contains("no topics found"));
        Path qrels = tmp.newFile("q.txt").toPath();
        Files.writeString(qrels, "1 0 D1 1\n1 D2 1\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> QrelsReader.read(qrels)).getMessage().contains("q.txt:2: expected 4 columns"));
    }
}
