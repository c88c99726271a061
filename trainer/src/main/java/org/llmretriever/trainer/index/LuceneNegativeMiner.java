package org.llmretriever.trainer.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link HardNegativeMiner} for corpora read from files: the documents go into an in-memory Lucene index (English
 * analysis, BM25 with Lucene's defaults k1 = 1.2, b = 0.75 — those of OpenSearch), so {@code adapt --beir},
 * {@code --trec-docs} and {@code --jsonl} mine the same kind of negatives as an adaptation of an OpenSearch index.
 */
public final class LuceneNegativeMiner implements HardNegativeMiner {
    private static final String ID = "id";
    private static final String TEXT = "text";

    private final Analyzer analyzer = new EnglishAnalyzer();
    private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
    private final DirectoryReader reader;
    private final IndexSearcher searcher;

    /** Indexes {@code documents} (id, text); ids must be unique for the exclusion of a view's own document to hold. */
    public LuceneNegativeMiner(List<org.llmretriever.trainer.corpus.Document> documents) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig(analyzer).setSimilarity(new BM25Similarity());
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (org.llmretriever.trainer.corpus.Document d : documents) {
                Document doc = new Document();
                doc.add(new StringField(ID, d.id(), Field.Store.YES));
                doc.add(new TextField(TEXT, d.text(), Field.Store.YES));
                writer.addDocument(doc);
            }
        }
        reader = DirectoryReader.open(directory);
        searcher = new IndexSearcher(reader);
        searcher.setSimilarity(new BM25Similarity());
    }

    @Override
    public List<String> negatives(String queryText, String sourceId, int n) throws IOException {
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        for (String term : terms(queryText)) {
            query.add(new TermQuery(new Term(TEXT, term)), BooleanClause.Occur.SHOULD);
        }
        List<String> out = new ArrayList<>();
        StoredFields stored = searcher.storedFields();
        for (ScoreDoc hit : searcher.search(query.build(), n + 1).scoreDocs) {
            if (out.size() == n) {
                break;
            }
            Document doc = stored.document(hit.doc);
            if (!doc.get(ID).equals(sourceId)) {
                out.add(doc.get(TEXT));
            }
        }
        return out;
    }

    /** The analysed, distinct terms of {@code text}, at most {@link IndexSearcher#getMaxClauseCount()} of them. */
    private Set<String> terms(String text) {
        Set<String> terms = new LinkedHashSet<>();
        try (TokenStream ts = analyzer.tokenStream(TEXT, text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            ts.reset();
            while (ts.incrementToken() && terms.size() < IndexSearcher.getMaxClauseCount()) {
                terms.add(term.toString());
            }
            ts.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return terms;
    }

    @Override
    public void close() throws IOException {
        reader.close();
        directory.close();
        analyzer.close();
    }
}
