package org.llmretriever.plugin.query;

import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.settings.Settings;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.ParsingException;
import org.opensearch.core.common.io.stream.NamedWriteableAwareStreamInput;
import org.opensearch.core.common.io.stream.NamedWriteableRegistry;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.index.query.QueryBuilder;
import org.opensearch.index.query.TermQueryBuilder;
import org.opensearch.search.SearchModule;
import org.opensearch.test.OpenSearchTestCase;

import java.io.IOException;
import java.util.List;

/** Parsing, validation and serialization of {@code llm_knn}. */
public class LlmKnnQueryBuilderTests extends OpenSearchTestCase {
    private static final SearchModule SEARCH = new SearchModule(Settings.EMPTY, List.of());

    private static LlmKnnQueryBuilder parse(String json) throws IOException {
        try (XContentParser p = JsonXContent.jsonXContent.createParser(new NamedXContentRegistry(SEARCH.getNamedXContents()),
            DeprecationHandler.THROW_UNSUPPORTED_OPERATION, json)) {
            p.nextToken();
            return LlmKnnQueryBuilder.fromXContent(p);
        }
    }

    public void testParsesEveryOption() throws IOException {
        LlmKnnQueryBuilder b = parse("{\"text_vector\": {\"query_text\": \"cats\", \"model\": \"m\", \"k\": 7, "
            + "\"filter\": {\"term\": {\"category\": \"animals\"}}, \"boost\": 2.5, \"_name\": \"q\"}}");
        assertEquals("text_vector", b.fieldName());
        assertEquals(2.5f, b.boost(), 0f);
        assertEquals("q", b.queryName());
        assertNull(b.vector());
        // round trip through its own XContent
        String json = org.opensearch.core.common.Strings.toString(org.opensearch.core.xcontent.MediaTypeRegistry.JSON, b);
        assertTrue(json, json.contains("\"llm_knn\"") && json.contains("\"k\":7") && json.contains("\"animals\""));
        LlmKnnQueryBuilder again = parse(json.substring(json.indexOf('{', 1), json.lastIndexOf('}')));
        assertEquals(b, again);
    }

    public void testWireRoundTripWithVector() throws IOException {
        LlmKnnQueryBuilder b = new LlmKnnQueryBuilder("v", "cats", "m", null, new TermQueryBuilder("c", "x"), 0.5f, null);
        BytesStreamOutput out = new BytesStreamOutput();
        out.writeNamedWriteable(b);
        NamedWriteableRegistry reg = new NamedWriteableRegistry(concat(SEARCH.getNamedWriteables()));
        try (StreamInput in = new NamedWriteableAwareStreamInput(out.bytes().streamInput(), reg)) {
            QueryBuilder read = in.readNamedWriteable(QueryBuilder.class);
            assertEquals(b, read);
        }
    }

    private static List<NamedWriteableRegistry.Entry> concat(List<NamedWriteableRegistry.Entry> core) {
        List<NamedWriteableRegistry.Entry> all = new java.util.ArrayList<>(core);
        all.add(new NamedWriteableRegistry.Entry(QueryBuilder.class, LlmKnnQueryBuilder.NAME, LlmKnnQueryBuilder::new));
        return all;
    }

    public void testValidationMessages() {
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"model\": \"m\", \"k\": 1}}")).getMessage()
            .contains("[query_text] is required"));
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"query_text\": \"x\", \"k\": 1}}")).getMessage()
            .contains("[model] is required"));
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"query_text\": \"x\", \"model\": \"m\"}}")).getMessage()
            .contains("exactly one of [k], [min_score] and [max_distance]"));
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"query_text\": \"x\", \"model\": \"m\", \"k\": 1, \"min_score\": 0.3}}"))
            .getMessage().contains("exactly one of"));
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"query_text\": \"x\", \"model\": \"m\", \"k\": 0}}")).getMessage()
            .contains("[k] must be between 1 and 10000"));
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"query_text\": \"x\", \"model\": \"m\", \"k\": 1, \"temperature\": 1}}"))
            .getMessage().contains("does not support [temperature]"));
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"query_text\": \"x\", \"model\": \"m\", \"k\": \"many\"}}"))
            .getMessage().contains("[k] has an invalid value"));
        assertTrue(expectThrows(ParsingException.class, () -> parse("{\"f\": {\"query_text\": \"x\", \"model\": \"m\", \"k\": 1}, \"g\": {}}"))
            .getMessage().contains("takes one field"));
    }
}
