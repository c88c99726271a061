package org.llmretriever.plugin.action;

import org.opensearch.action.ActionRequest;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.ActionType;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.Map;

/** {@code GET models} and {@code GET models/{name}}: definitions from cluster state plus every node's state. */
public final class GetModelsAction extends ActionType<GetModelsAction.Response> {
    public static final String NAME = "cluster:monitor/llm_retriever/model/get";
    public static final GetModelsAction INSTANCE = new GetModelsAction();

    private GetModelsAction() {
        super(NAME, Response::new);
    }

    /** One model (name) or all (null). */
    public static final class Request extends ActionRequest {
        private final String name;

        public Request(String name) {
            this.name = name;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            this.name = in.readOptionalString();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeOptionalString(name);
        }

        public String name() {
            return name;
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** Model name → definition with a {@code nodes} section. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final Map<String, Object> models;

        public Response(Map<String, Object> models) {
            this.models = models;
        }

        public Response(StreamInput in) throws IOException {
            super(in);
            this.models = in.readMap();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            out.writeMap(models);
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject();
            builder.field("models", models);
            return builder.endObject();
        }
    }
}
