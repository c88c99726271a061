package org.llmretriever.trainer.collection;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.corpus.Document;
import org.llmretriever.trainer.corpus.TrecCorpus;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** TREC collections in the layouts real ones use: documents, topics and qrels, and the refusals. */
public class TrecCollectionsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    /** The layout from the issue: bare text between the tags, one file, topics with closed tags, 4-column qrels. */
    public static String bareRecords(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            sb.append("<DOC>\n<DOCNO>").append(i).append("</DOCNO>\n");
            sb.append(i == 1 ? "a note on the stability of feedback amplifiers  the conditions for\nstable operation are derived for a class of circuits\n"
                : "document " + i + " about topic " + (i % 3) + " and more words\n");
            sb.append("</DOC>\n");
        }
        return sb.toString();
    }

    public static final String CLOSED_TOPICS = "<top>\n<num>1</num><title>\nSTABILITY OF FEEDBACK AMPLIFIERS\n</title>\n</top>\n"
        + "<top>\n<num>2</num><title>\ntopic one words\n</title>\n</top>\n"
        + "<top>\n<num>3</num><title>\ntopic two words\n</title>\n</top>\n";

    private Path write(String name, String content) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.createDirectories(p.getParent());
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(p, content);
        }
        return p;
    }

    /** Writes a tar (gzipped or not) of the files {@code coll/<name>} (each gzipped or not), given as name, content, name, ... */
    static void tar(Path file, boolean gzip, boolean gzipEntries, String... nameAndContent) throws Exception {
        try (OutputStream raw = Files.newOutputStream(file); OutputStream out = gzip ? new GZIPOutputStream(raw) : raw;
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < nameAndContent.length; i += 2) {
                byte[] b = nameAndContent[i + 1].getBytes(StandardCharsets.UTF_8);
                if (gzipEntries) {
                    ByteArrayOutputStream z = new ByteArrayOutputStream();
                    try (GZIPOutputStream g = new GZIPOutputStream(z)) {
                        g.write(b);
                    }
                    b = z.toByteArray();
                }
                TarArchiveEntry e = new TarArchiveEntry("coll/" + nameAndContent[i] + (gzipEntries ? ".gz" : ""));
                e.setSize(b.length);
                tar.putArchiveEntry(e);
                tar.write(b);
                tar.closeArchiveEntry();
            }
        }
    }

    @Test
    public void theIssuesLayoutLoadsWithTheRightCounts() throws Exception {
        Path docs = write("cran/cran.all", bareRecords(30));
        Path topics = write("cran.topics", CLOSED_TOPICS);
        Path qrels = write("cran.qrels", "1 0 1 1\n1 0 2 2\n1 0 7 -1\n2 0 4 1\n3 0 5 1\n3 0 6 0\n");
        Dataset ds = TrecLoader.load("cran", docs, topics, qrels);
        assertEquals(30, ds.documents().size());
        assertEquals(List.of("1", "2", "3"), ds.judgedQueries());
        assertEquals("STABILITY OF FEEDBACK AMPLIFIERS", ds.queries().get("1"));
        Dataset.Doc first = ds.documents().get("1");
        assertEquals("", first.title());
        assertEquals("a note on the stability of feedback amplifiers the conditions for stable operation are derived for a class of circuits", first.text());
        assertEquals(Integer.valueOf(-1), ds.qrels().get("1").get("7"));
        // a directory holding the file reads the same
        assertEquals(ds.documents(), TrecLoader.loadDocuments(docs.getParent()));
    }

    static final String NEWS = "<DOC>\n<DOCNO> FT911-1 </DOCNO>\n<PROFILE>_AN-BEOO7AAIFT</PROFILE>\n<DATE>910514\n</DATE>\n"
        + "<HEADLINE>\nFT  14 MAY 91 / Rates &amp; markets\n</HEADLINE>\n<TEXT>\n<P>Interest rates rose.</P>\n<P>Banks said a < b.</P>\n</TEXT>\n</DOC>\n"
        + "<DOC><DOCNO>FT911-2</DOCNO><TITLE>Second</TITLE><TEXT>Body two.</TEXT></DOC>\n"
        + "<DOC>\n<DOCNO>FT911-3</DOCNO>\n<HEAD>Third head</HEAD>\nno text element here\n</DOC>\n";

    @Test
    public void newsRecordsWithTextHeadlineAndSpacedDocnos() throws Exception {
        Map<String, Dataset.Doc> d = TrecLoader.loadDocuments(write("ft/ft911.gz", NEWS));
        assertEquals(List.of("FT911-1", "FT911-2", "FT911-3"), new ArrayList<>(d.keySet()));
        assertEquals(new Dataset.Doc("FT 14 MAY 91 / Rates &amp; markets", "Interest rates rose. Banks said a < b."), d.get("FT911-1"));
        assertEquals(new Dataset.Doc("Second", "Body two."), d.get("FT911-2"));
        assertEquals(new Dataset.Doc("Third head", "no text element here"), d.get("FT911-3"));
        Map<String, Dataset.Doc> wsj = TrecLoader.loadDocuments(write("wsj/WSJ870324", "<DOC>\r\n<DOCNO> WSJ870324-0001 </DOCNO>\r\n<HL> John Blair Is Near\r\n"
            + "Accord </HL>\r\n<DD> 03/24/87</DD>\r\n<TEXT>\r\n   John Blair &amp; Co. is close.\r\n</TEXT>\r\n</DOC>\r\n"
            + "<DOC>\r\n<DOCNO> WSJ870324-0002 </DOCNO>\r\n<TEXT>\r\nSecond.\r\n</TEXT>\r\n</DOC>\r\n"));
        assertEquals(new Dataset.Doc("John Blair Is Near Accord", "John Blair &amp; Co. is close."), wsj.get("WSJ870324-0001"));
    }

    @Test
    public void directoriesAndTarballsOfRecordFiles() throws Exception {
        Path dir = tmp.newFolder("disk").toPath();
        Files.writeString(dir.resolve("a.txt"), bareRecords(3));
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("b.gz")))) {
            out.write(NEWS.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(6, TrecLoader.loadDocuments(dir).size());

        Path plainTar = tmp.getRoot().toPath().resolve("coll.tar");
        tar(plainTar, false, false, "a", bareRecords(3), "b", NEWS);
        assertEquals(6, TrecLoader.loadDocuments(plainTar).size());
        Path tgz = tmp.getRoot().toPath().resolve("coll.tgz");
        tar(tgz, true, true, "a", bareRecords(3), "b", NEWS);
        Map<String, Dataset.Doc> d = TrecLoader.loadDocuments(tgz);
        assertEquals(6, d.size());
        assertEquals("Body two.", d.get("FT911-2").text());
    }

    @Test
    public void cacmOneFilePerDocumentStillLoads() throws Exception {
        Path tgz = tmp.getRoot().toPath().resolve("cacm.tar.gz");
        tar(tgz, true, false, "CACM-0001.html", "<html>\n<pre>\n\n\nPreliminary Report\n\nInternational Algebraic Language\n</pre>\n</html>\n",
            "CACM-0002.html", "<html><pre>\nExtraction of Roots\n\nby repeated subtractions.\n</pre></html>");
        Map<String, Dataset.Doc> d = TrecLoader.loadDocuments(tgz);
        assertEquals(new Dataset.Doc("Preliminary Report", "International Algebraic Language"), d.get("CACM-1"));
        assertEquals(2, d.size());
    }

    @Test
    public void malformedRecordsNameFileAndLine() throws Exception {
        assertDocumentsRefused(DatasetFormatException.class, write("u.txt", "<DOC>\n<DOCNO>1</DOCNO>\ntext\n<DOC>\n<DOCNO>2</DOCNO>\n</DOC>\n"),
            "u.txt:4: <DOC> inside the record opened at line 1");
        assertDocumentsRefused(DatasetFormatException.class, write("n.txt", "<DOC>\n<DOCNO>1</DOCNO>\nx\n</DOC>\n<DOC>\ntext only\n</DOC>\n"),
            "n.txt:5: <DOC> record without a <DOCNO>");
        assertDocumentsRefused(DatasetFormatException.class, write("e.txt", "<DOC>\n<DOCNO>1</DOCNO>\nx\n</DOC>\n<DOC>\n<DOCNO>2</DOCNO>\n"),
            "e.txt:5: <DOC> record is not closed");
        assertDocumentsRefused(DatasetFormatException.class, write("plain.txt", "just some text\nwithout records\n"),
            "plain.txt:1: no <DOC> records");
        assertDocumentsRefused(InvalidCollectionException.class, write("d.txt", "<DOC><DOCNO>1</DOCNO>x</DOC>\n<DOC><DOCNO>1</DOCNO>y</DOC>\n"),
            "d.txt:2: document id 1 appears a second time");
    }

    /** Reading the documents of {@code file} fails with {@code type}, and the message says {@code why} (file:line: what). */
    private static void assertDocumentsRefused(Class<? extends Exception> type, Path file, String why) {
        String m = assertThrows(type, () -> TrecLoader.loadDocuments(file)).getMessage();
        assertTrue(m, m.contains(why));
    }

    @Test
    public void topicsInEveryForm() throws Exception {
        Path adhoc = write("adhoc.txt", "<top>\n<head> Tipster Topic Description\n<num> Number: 301\n<title> International Organized Crime\n\n"
            + "<desc> Description:\nIdentify organizations that participate\nin international criminal activity.\n\n"
            + "<narr> Narrative:\nA relevant document must name the organization.\n</top>\n\n"
            + "<top>\n<num> Number: 302\n<title> Topic: Poliomyelitis and Post-Polio\n<desc> Description:\nIs the disease under control?\n</top>\n");
        assertEquals(Map.of("301", "International Organized Crime", "302", "Poliomyelitis and Post-Polio"),
            TrecTopicsReader.read(adhoc, TrecTopicsReader.Field.TITLE));
        assertEquals("Identify organizations that participate in international criminal activity.",
            TrecTopicsReader.read(adhoc, TrecTopicsReader.Field.DESC).get("301"));
        assertEquals("Poliomyelitis and Post-Polio Is the disease under control?",
            TrecTopicsReader.read(adhoc, TrecTopicsReader.Field.TITLE_DESC).get("302"));
        assertEquals(TrecTopicsReader.Field.TITLE_DESC, TrecTopicsReader.Field.parse("title+desc"));

        Path closed = write("closed.txt", CLOSED_TOPICS.replace("<top>\n<num>2</num>", "<top>\n<num>Number: 2</num>"));
        assertEquals(List.of("1", "2", "3"), new ArrayList<>(TrecTopicsReader.read(closed, TrecTopicsReader.Field.TITLE).keySet()));
        Path cacm = write("cacm.txt", "<DOC>\n<DOCNO> 1 </DOCNO>\n\n What articles exist which deal with TSS?\n</DOC>\n");
        assertEquals(Map.of("1", "What articles exist which deal with TSS?"), TrecTopicsReader.read(cacm, TrecTopicsReader.Field.DESC));

        Path noNum = write("nonum.txt", "<top>\n<title> x\n</top>\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> TrecTopicsReader.read(noNum, TrecTopicsReader.Field.TITLE)).getMessage()
            .contains("nonum.txt:1: topic without a number"));
        Path twice = write("twice.txt", "<top><num>1</num><title>a</title></top>\n<top><num>1</num><title>b</title></top>\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> TrecTopicsReader.read(twice, TrecTopicsReader.Field.TITLE)).getMessage()
            .contains("twice.txt:2: topic 1 again (first at line 1)"));
    }

    @Test
    public void qrelsInBothLayouts() throws Exception {
        Map<String, Map<String, Integer>> trec = QrelsReader.read(write("q4.txt", "301 0 FT911-1 2\n301 0 FT911-2 -2\n302\t0\tFT911-3\t0\n"));
        assertEquals(Map.of("FT911-1", 2, "FT911-2", -2), trec.get("301"));
        Map<String, Map<String, Integer>> beir = QrelsReader.read(write("q3.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t0\n"));
        assertEquals(Map.of("q1", Map.of("d1", 1, "d2", 0)), beir);
        assertEquals(beir, QrelsReader.read(write("q3b.tsv", "q1 d1 1\nq1 d2 0\n")));
        assertTrue(assertThrows(DatasetFormatException.class, () -> QrelsReader.read(write("q5.txt", "1 0 d 1 x\n"))).getMessage()
            .contains("q5.txt:1: expected 4 columns (query-id iteration doc-id relevance) or 3"));
        assertTrue(assertThrows(InvalidCollectionException.class, () -> QrelsReader.read(write("empty.txt", "\n"))).getMessage()
            .contains("empty.txt hold no judgments"));
    }

    @Test
    public void refusesWhatCannotBeEvaluated() throws Exception {
        Path topics = write("t.txt", CLOSED_TOPICS);
        Path qrels = write("q.txt", "1 0 1 1\n2 0 2 1\n3 0 3 1\n");
        // one record: the failure mode of reading a collection file as a single document
        Path one = write("one.txt", bareRecords(1));
        String m = assertThrows(InvalidCollectionException.class, () -> TrecLoader.load("x", one, topics, qrels)).getMessage();
        assertTrue(m, m.contains("one.txt: only 1 document (id '1')"));
        // the old <num> regex read "1</num><title>" as the id; a judged query without text names both files
        Path docs = write("docs.txt", bareRecords(10));
        Path badTopics = write("bad.txt", "<top>\n<num>7</num><title>x</title>\n</top>\n");
        m = assertThrows(InvalidCollectionException.class, () -> TrecLoader.load("x", docs, badTopics, qrels)).getMessage();
        assertTrue(m, m.contains("3 of the 3 queries judged in " + qrels + " have no text in " + badTopics) && m.contains("'1', '2', '3'")
            && m.contains("it holds 1 query (e.g. '7')"));
        Path emptyDesc = write("nodesc.txt", CLOSED_TOPICS);
        m = assertThrows(InvalidCollectionException.class,
            () -> TrecLoader.load("x", docs, emptyDesc, TrecTopicsReader.Field.DESC, qrels, 0.01, System.err)).getMessage();
        assertTrue(m, m.contains("(3 with empty text"));
        // qrels naming documents the collection lacks: refused above the threshold, a warning below it
        Path unknown = write("unknown.txt", "1 0 1 1\n2 0 2 1\n3 0 99 1\n3 0 98 0\n");
        m = assertThrows(InvalidCollectionException.class, () -> TrecLoader.load("x", docs, topics, unknown)).getMessage();
        assertTrue(m, m.contains(unknown + " judges 2 (query, document) pairs whose document is not in " + docs + " (50.00% of 4; e.g. '99', '98')"));
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        Dataset ok = TrecLoader.load("x", docs, topics, TrecTopicsReader.Field.TITLE, unknown, 0.5, new PrintStream(warnings, true));
        assertEquals(3, ok.judgedQueries().size());
        assertTrue(warnings.toString(), warnings.toString().startsWith("warning: " + unknown + " judges 2"));
    }

    @Test
    public void adaptStreamsRecordsAndRefusesATooSmallCorpus() throws Exception {
        TrecCorpus corpus = new TrecCorpus(write("c.gz", NEWS));
        List<Document> read = new ArrayList<>();
        corpus.read(read::add);
        assertEquals(3, read.size());
        assertEquals(new Document("FT911-2", "Second\n\nBody two."), read.get(1));
        assertEquals(3, Corpus.load(corpus, 0, 1).size());
        TrecCorpus single = new TrecCorpus(write("s.txt", "<DOC><DOCNO>1</DOCNO>only one</DOC>\n<DOC><DOCNO>2</DOCNO></DOC>\n"));
        String m = assertThrows(InvalidCollectionException.class, () -> Corpus.load(single, 0, 1)).getMessage();
        assertTrue(m, m.contains("TREC documents " + tmp.getRoot().toPath().resolve("s.txt") + ": only 1 document (id '1')")
            && m.contains("2 read, 1 used, skipped: 1 empty"));
    }

    /** The real CACM (shared/datasets beside the checkout) keeps its counts: 3,204 documents, 64 topics, 52 judged. */
    @Test
    public void realCacmKeepsItsCounts() throws Exception {
        Path cacm = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null && cacm == null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("shared/datasets/cacm/cacm.tar.gz"))) {
                cacm = p.resolve("shared/datasets/cacm");
            }
        }
        Assume.assumeTrue("skipped: shared/datasets/cacm not found beside the checkout", cacm != null);
        Dataset ds = TrecLoader.load("cacm", cacm.resolve("cacm.tar.gz"), cacm.resolve("topics.cacm.txt"), cacm.resolve("qrels.cacm.txt"));
        assertEquals(3204, ds.documents().size());
        assertEquals(64, ds.queries().size());
        assertEquals(52, ds.judgedQueries().size());
    }
}
