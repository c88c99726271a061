package org.llmretriever.trainer.collection;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.llmretriever.trainer.corpus.Corpus;
import org.llmretriever.trainer.corpus.MsMarcoCorpus;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** MS MARCO's TSV layout for eval and adapt. */
public class MsMarcoLoaderTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    public static Path write(Path dir, int passages, boolean gzipCollection) throws Exception {
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < passages; i++) {
            c.append(i).append('\t').append("passage ").append(i).append(" about subject ").append(i % 4).append('\n');
        }
        if (gzipCollection) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("collection.tsv.gz")))) {
                out.write(c.toString().getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(dir.resolve("collection.tsv"), c);
        }
        Files.writeString(dir.resolve("queries.dev.small.tsv"), "1048585\twhat is subject 1\n2\tsubject two\n3\tunjudged query\n");
        Files.writeString(dir.resolve("qrels.dev.small.tsv"), "1048585\t0\t1\t1\n1048585\t0\t5\t1\n2\t0\t2\t1\n");
        return dir;
    }

    @Test
    public void loadsADevSplit() throws Exception {
        Path dir = write(tmp.newFolder("msmarco").toPath(), 12, false);
        Dataset ds = MsMarcoLoader.load(dir, "dev.small", 0.01, System.err);
        assertEquals(12, ds.documents().size());
        assertEquals("passage 3 about subject 3", ds.documents().get("3").contents());
        assertEquals(List.of("1048585", "2"), ds.judgedQueries());
        assertEquals("what is subject 1", ds.queries().get("1048585"));
        assertEquals(12, MsMarcoLoader.load(write(tmp.newFolder("gz").toPath(), 12, true), "dev.small", 0.01, System.err).documents().size());
    }

    @Test
    public void refusesMissingFilesBadLinesAndTinyCollections() throws Exception {
        Path dir = write(tmp.newFolder("m").toPath(), 12, false);
        String m = assertThrows(java.io.IOException.class, () -> MsMarcoLoader.load(dir, "dev", 0.01, System.err)).getMessage();
        assertTrue(m, m.contains("queries.dev.tsv is missing (found: collection.tsv, qrels.dev.small.tsv, queries.dev.small.tsv)"));
        Files.writeString(dir.resolve("collection.tsv"), "0\tfine\n1 no tab here\n");
        assertTrue(assertThrows(DatasetFormatException.class, () -> MsMarcoLoader.load(dir, "dev.small", 0.01, System.err)).getMessage()
            .contains("collection.tsv:2: expected id<TAB>text (or id<TAB>title<TAB>text), found no tab"));
        Files.writeString(dir.resolve("collection.tsv"), "1\tthe only passage\n");
        assertTrue(assertThrows(InvalidCollectionException.class, () -> MsMarcoLoader.load(dir, "dev.small", 0.01, System.err)).getMessage()
            .contains("collection.tsv: only 1 document (id '1')"));
    }

    @Test
    public void adaptReadsTheCollection() throws Exception {
        Path dir = write(tmp.newFolder("a").toPath(), 12, true);
        Corpus c = Corpus.load(new MsMarcoCorpus(dir), 0, 1);
        assertEquals(12, c.size());
        assertEquals("passage 0 about subject 0", c.documents().get(0).text());
    }
}
