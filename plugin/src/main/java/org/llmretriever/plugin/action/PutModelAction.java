package org.llmretriever.plugin.action;

import org.llmretriever.plugin.model.ModelDefinition;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.ActionType;
import org.opensearch.action.support.clustermanager.ClusterManagerNodeRequest;
import org.opensearch.core.action.ActionResponse;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;

import java.io.IOException;

/** {@code PUT models/{name}}: validates the checkpoint (config + headers) and stores the definition in cluster state. */
public final class PutModelAction extends ActionType<PutModelAction.Response> {
    public static final String NAME = "cluster:admin/llm_retriever/model/put";
    public static final PutModelAction INSTANCE = new PutModelAction();

    private PutModelAction() {
        super(NAME, Response::new);
    }

    /** The definition requested (derived fields not yet filled). */
    public static final class Request extends ClusterManagerNodeRequest<Request> {
        private final ModelDefinition definition;

        public Request(ModelDefinition definition) {
            this.definition = definition;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            this.definition = new ModelDefinition(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            definition.writeTo(out);
        }

        /** The requested definition. */
        public ModelDefinition definition() {
            return definition;
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }

    /** The stored definition with dimension, family, parameter count and version. */
    public static final class Response extends ActionResponse implements ToXContentObject {
        private final ModelDefinition definition;
        private final boolean created;

        public Response(ModelDefinition definition, boolean created) {
            this.definition = definition;
            this.created = created;
        }

        public Response(StreamInput in) throws IOException {
            super(in);
            this.definition = new ModelDefinition(in);
            this.created = in.readBoolean();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            definition.writeTo(out);
            out.writeBoolean(created);
        }

        /** Whether the name was new. */
        public boolean created() {
            return created;
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject();
            builder.field("acknowledged", true);
            builder.field("result", created ? "created" : "updated");
            builder.field("model", definition.name());
            builder.field("dimension", definition.dimension());
            builder.field("family", definition.family());
            builder.field("parameters", definition.parameters());
            builder.field("version", definition.version());
            builder.field("definition", definition.asMap());
            return builder.endObject();
        }
    }
}
