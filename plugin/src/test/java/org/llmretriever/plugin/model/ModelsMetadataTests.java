package org.llmretriever.plugin.model;

import org.opensearch.common.io.stream.BytesStreamOutput;
import org.opensearch.common.xcontent.json.JsonXContent;
import org.opensearch.core.common.bytes.BytesReference;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.xcontent.ToXContent;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.core.xcontent.XContentParser;
import org.opensearch.core.xcontent.DeprecationHandler;
import org.opensearch.core.xcontent.NamedXContentRegistry;
import org.opensearch.test.OpenSearchTestCase;

import java.util.HashMap;
import java.util.Map;

/** The registry survives the wire (between nodes) and XContent (cluster state on disk) unchanged. */
public class ModelsMetadataTests extends OpenSearchTestCase {
    static ModelDefinition randomDefinition(String name) {
        Map<String, Object> body = new HashMap<>();
        body.put("path", randomAlphaOfLength(6));
        body.put("pooling", randomFrom("last_token", "mean", "suffix_mean:8"));
        body.put("normalize", randomBoolean());
        body.put("max_tokens", randomIntBetween(2, 4096));
        body.put("query_prompt", randomBoolean() ? "" : "query: {text}");
        body.put("dtype", randomFrom("auto", "float32", "float16"));
        body.put("device", randomFrom("auto", "cpu", "cuda"));
        if (randomBoolean()) {
            body.put("adapter", "adapters/" + randomAlphaOfLength(4));
        }
        if (randomBoolean()) {
            body.put("preset", randomFrom(org.llmretriever.encoder.embed.Preset.ALL).name());
        }
        return ModelDefinition.fromRequest(name, body)
            .withDerived(randomIntBetween(8, 4096), randomFrom("llama", "gpt_neox"), "llama", randomLongBetween(1, 1L << 40),
                randomLongBetween(1, 100), randomLongBetween(0, 1L << 45));
    }

    private static ModelsMetadata randomMetadata() {
        Map<String, ModelDefinition> m = new HashMap<>();
        for (int i = 0; i < randomIntBetween(0, 5); i++) {
            String n = "m" + i;
            m.put(n, randomDefinition(n));
        }
        return new ModelsMetadata(m);
    }

    public void testWireRoundTrip() throws Exception {
        ModelsMetadata original = randomMetadata();
        BytesStreamOutput out = new BytesStreamOutput();
        original.writeTo(out);
        try (StreamInput in = out.bytes().streamInput()) {
            assertEquals(original, new ModelsMetadata(in));
        }
    }

    public void testXContentRoundTrip() throws Exception {
        ModelsMetadata original = randomMetadata();
        XContentBuilder b = JsonXContent.contentBuilder().startObject();
        original.toXContent(b, ToXContent.EMPTY_PARAMS);
        b.endObject();
        try (XContentParser p = JsonXContent.jsonXContent.createParser(NamedXContentRegistry.EMPTY, DeprecationHandler.THROW_UNSUPPORTED_OPERATION,
            BytesReference.bytes(b).streamInput())) {
            assertEquals(original, ModelsMetadata.fromXContent(p));
        }
    }

    /** The typed fields travel and are stored as the lowercase strings the plugin has always written. */
    public void testTypedFieldsKeepTheirStringForm() throws Exception {
        Map<String, Object> body = new HashMap<>();
        body.put("path", "p");
        body.put("pooling", "suffix_mean");
        body.put("dtype", "FLOAT16");
        body.put("device", "Cuda");
        body.put("attention", "bidirectional");
        ModelDefinition d = ModelDefinition.fromRequest("m", body).withDerived(8, "llama", "llama", 10, 1, 0);
        BytesStreamOutput out = new BytesStreamOutput();
        d.writeTo(out);
        try (StreamInput in = out.bytes().streamInput()) {
            assertEquals("m", in.readString());
            assertEquals("p", in.readString());
            assertEquals("suffix_mean:8", in.readString());
            in.readBoolean();
            in.readVInt();
            in.readString();
            in.readString();
            assertEquals("float16", in.readString());
            assertEquals("cuda", in.readString());
            assertNull(in.readOptionalString());
            assertEquals("bidirectional", in.readString());
        }
        Map<String, Object> shown = d.asMap();
        assertEquals("suffix_mean:8", shown.get("pooling"));
        assertEquals("float16", shown.get("dtype"));
        assertEquals("cuda", shown.get("device"));
        assertEquals("bidirectional", shown.get("attention"));
    }

    public void testRequestValidationNamesTheField() {
        Map<String, Object> body = new HashMap<>();
        body.put("path", "x");
        body.put("normalize", "yes");
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> ModelDefinition.fromRequest("m", body));
        assertEquals("[normalize] must be true or false, got the string \"yes\"", e.getMessage());
        body.put("normalize", true);
        body.put("max_tokens", 1);
        e = expectThrows(IllegalArgumentException.class, () -> ModelDefinition.fromRequest("m", body));
        assertEquals("[max_tokens] must be between 2 and 131072, got 1", e.getMessage());
        body.remove("max_tokens");
        body.put("query_prompt", "{text} and {text}");
        e = expectThrows(IllegalArgumentException.class, () -> ModelDefinition.fromRequest("m", body));
        assertTrue(e.getMessage(), e.getMessage().contains("{text} only once"));
        expectThrows(IllegalArgumentException.class, () -> ModelDefinition.validateName("UPPER"));
        expectThrows(IllegalArgumentException.class, () -> ModelDefinition.validateName("a/b"));
        ModelDefinition.validateName("e5-mistral.v2_q");
    }
}
