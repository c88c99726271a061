package org.llmretriever.plugin.action;

import org.llmretriever.encoder.EncoderOptions;
import org.llmretriever.encoder.Kind;
import org.llmretriever.plugin.inference.EmbedResult;
import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.ActionType;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;

import static org.opensearch.action.ValidateActions.addValidationError;

/**
 * Embeds texts with a registered model: behind {@code POST models/{name}/_embed}, the ingest processor and the
 * {@code llm_knn} query, so all three share routing, batching, caching and statistics.
 */
public final class EmbedAction extends ActionType<EmbedAction.Response> {
    public static final String NAME = "cluster:admin/llm_retriever/model/embed";
    public static final EmbedAction INSTANCE = new EmbedAction();

    private EmbedAction() {
        super(NAME, Response::new);
    }

    /** Model, texts, kind and per-request options. */
    public static final class Request extends ActionRequest {
        private final String model;
        private final List<String> texts;
        private final Kind kind;
        private final EncoderOptions.Truncation truncation;
        private final boolean useCache;

        public Request(String model, List<String> texts, Kind kind, EncoderOptions.Truncation truncation, boolean useCache) {
            this.model = model;
            this.texts = texts;
            this.kind = kind;
            this.truncation = truncation;
            this.useCache = useCache;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            this.model = in.readString();
            this.texts = in.readStringList();
            this.kind = in.readEnum(Kind.class);
            this.truncation = in.readEnum(EncoderOptions.Truncation.class);
            this.useCache = in.readBoolean();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(model);
            out.writeStringCollection(texts);
            out.writeEnum(kind);
            out.writeEnum(truncation);
            out.writeBoolean(useCache);
        }

        @Override
        public ActionRequestValidationException validate() {
            ActionRequestValidationException e = null;
            if (model == null || model.isBlank()) {
                e = addValidationError("[model] is required", e);
            }
            if (texts == null || texts.isEmpty()) {
                e = addValidationError("[texts] must be a non-empty list of strings", e);
            }
            return e;
        }

        public String model() {
            return model;
        }

        public List<String> texts() {
            return texts;
        }

        public Kind kind() {
            return kind;
        }

        public EncoderOptions.Truncation truncation() {
            return truncation;
        }

        public boolean useCache() {
            return useCache;
        }
    }

    /** Vectors (or per-text errors) in request order. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final String model;
        private final EmbedResult result;

        public Response(String model, EmbedResult result) {
            this.model = model;
            this.result = result;
        }

        public Response(StreamInput in) throws IOException {
            super(in);
            this.model = in.readString();
            this.result = new EmbedResult(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeString(model);
            result.writeTo(out);
        }

        public EmbedResult result() {
            return result;
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject();
            builder.field("model", model);
            builder.field("dimension", result.dimension());
            builder.field("node", result.node());
            builder.startArray("embeddings");
            for (int i = 0; i < result.size(); i++) {
                builder.startObject();
                if (result.vector(i) != null) {
                    builder.field("vector", result.vector(i));
                    builder.field("truncated", result.truncated(i));
                } else {
                    builder.field("error", result.error(i));
                }
                builder.endObject();
            }
            builder.endArray();
            return builder.endObject();
        }
    }
}
