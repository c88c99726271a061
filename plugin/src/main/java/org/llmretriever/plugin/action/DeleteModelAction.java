package org.llmretriever.plugin.action;

import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.ActionType;
import org.opensearch.action.support.clustermanager.AcknowledgedResponse;
import org.opensearch.action.support.clustermanager.ClusterManagerNodeRequest;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;

import java.io.IOException;

/** {@code DELETE models/{name}[?force=true]}: refused while an ingest pipeline uses the model, unless forced. */
public final class DeleteModelAction extends ActionType<AcknowledgedResponse> {
    public static final String NAME = "cluster:admin/llm_retriever/model/delete";
    public static final DeleteModelAction INSTANCE = new DeleteModelAction();

    private DeleteModelAction() {
        super(NAME, AcknowledgedResponse::new);
    }

    /** Name and force flag. */
    public static final class Request extends ClusterManagerNodeRequest<Request> {
        private final String name;
        private final boolean force;

        public Request(String name, boolean force) {
            this.name = name;
            this.force = force;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            this.name = in.readString();
            this.force = in.readBoolean();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeString(name);
            out.writeBoolean(force);
        }

        /** Model name. */
        public String name() {
            return name;
        }

        /** Delete even if pipelines use it. */
        public boolean force() {
            return force;
        }

        @Override
        public ActionRequestValidationException validate() {
            return null;
        }
    }
}
