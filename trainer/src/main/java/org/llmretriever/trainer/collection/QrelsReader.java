package org.llmretriever.trainer.collection;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Relevance judgments in either common layout, told apart by the first line: TREC's four columns
 * {@code query iteration doc grade} (also MS MARCO's {@code qrels.*.tsv}) or BEIR's three {@code query doc grade}
 * (with or without its {@code query-id corpus-id score} header). Tabs or spaces. Grades are kept as given:
 * graded judgments stay graded, and zero or negative grades (TREC's spam and junk labels) are judged
 * non-relevant by the metrics. Document ids are canonicalized like the collection's.
 */
public final class QrelsReader {
    private QrelsReader() {}

    /** Query id → (document id → grade); a line with another column count or a non-integer grade fails with file and line. */
    public static Map<String, Map<String, Integer>> read(Path file) throws IOException {
        Map<String, Map<String, Integer>> out = new LinkedHashMap<>();
        try (BufferedReader in = Inputs.reader(file)) {
            String line;
            long n = 0;
            int columns = 0;
            boolean first = true;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.strip().split("\\s+");
                boolean header = first && f.length == 3 && isHeader(f);
                first = false;
                if (header) {
                    continue;
                }
                if (columns == 0) {
                    if (f.length != 3 && f.length != 4) {
                        throw new DatasetFormatException(file, n, "expected 4 columns (query-id iteration doc-id relevance) "
                            + "or 3 (query-id corpus-id score), found " + f.length);
                    }
                    columns = f.length;
                } else if (f.length != columns) {
                    throw new DatasetFormatException(file, n, "expected " + columns + " columns ("
                        + (columns == 4 ? "query-id iteration doc-id relevance" : "query-id corpus-id score") + ") like the lines before, found " + f.length);
                }
                int grade;
                try {
                    grade = Integer.parseInt(f[columns - 1]);
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file, n, "relevance '" + f[columns - 1] + "' is not an integer");
                }
                out.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(TrecLoader.canonicalDocId(f[columns == 4 ? 2 : 1]), grade);
            }
        }
        if (out.isEmpty()) {
            throw new InvalidCollectionException("qrels " + file + " hold no judgments: nothing to evaluate");
        }
        return out;
    }

    /** BEIR's {@code query-id corpus-id score}, or any first line whose grade column is not a number. */
    private static boolean isHeader(String[] f) {
        try {
            Integer.parseInt(f[2]);
            return false;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
