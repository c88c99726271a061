package org.llmretriever.cli;

import org.junit.Test;
import org.llmretriever.encoder.files.FileTrees;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** The main command, end to end with a tiny model and 150 sample documents: its output shows real search hits. */
public class QuickstartIT {
    @Test
    public void quickstartRunsEndToEndAndShowsHits() throws Exception {
        Path home = Path.of(System.getProperty("llmretriever.it.dir", "target/it")).resolve("quickstart-home").toAbsolutePath();
        FileTrees.deleteRecursively(home);
        String previous = System.getProperty("llmretriever.home");
        System.setProperty("llmretriever.home", home.toString());
        String out;
        String second;
        try {
            out = run();
            second = run(); // warm: the base model and the adaptation are reused
        } finally {
            if (previous == null) {
                System.clearProperty("llmretriever.home");
            } else {
                System.setProperty("llmretriever.home", previous);
            }
        }
        assertTrue(out, out.contains("quickstart finished"));
        assertTrue(out, out.contains("sample corpus: 150 English Europarl documents"));
        assertTrue(out, out.contains("registered model [quickstart-adapted]"));
        assertTrue(out, out.contains("alias europarl now points to europarl-quickstart-adapted-"));
        // each example query lists three hits per method: rows with three non-empty titles
        String table = out.substring(out.indexOf("Top 3 titles per method"), out.indexOf("Try it yourself"));
        Matcher rows = Pattern.compile("(?m)^  (\\S.{35}) (\\S.{35}) (\\S.*)$").matcher(table);
        int hitRows = 0;
        while (rows.find()) {
            if (!rows.group(1).startsWith("BM25")) {
                hitRows++;
            }
        }
        assertEquals("3 queries x 3 ranks of hits", 9, hitRows);
        assertTrue(out, out.contains("curl -s 'http://127.0.0.1:"));
        assertTrue(out, out.contains("node stopped"));
        assertTrue(out, out.contains("adapting the model to the index"));

        assertTrue(second, second.contains("using the cached demo base model"));
        assertTrue(second, second.contains("using the model adapted by an earlier run"));
        assertFalse(second, second.contains("adapting the model to the index"));
        assertTrue(second, second.contains("alias europarl now points to europarl-quickstart-adapted-"));
        assertTrue(second, second.contains("node stopped"));
    }

    /** Runs the quickstart in this JVM and returns what it printed (failing on a non-zero exit code). */
    private static String run() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        int code;
        try {
            System.setOut(new PrintStream(captured, true));
            code = Main.commandLine().execute("quickstart", "--tiny", "--port", "0");
        } finally {
            System.setOut(original);
        }
        String out = captured.toString();
        System.out.println(out);
        assertEquals(out, 0, code);
        return out;
    }
}
