package org.llmretriever.plugin.action;

import org.opensearch.action.ActionType;
import org.opensearch.action.FailedNodeException;
import org.opensearch.action.support.nodes.BaseNodeResponse;
import org.opensearch.action.support.nodes.BaseNodesRequest;
import org.opensearch.action.support.nodes.BaseNodesResponse;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.core.common.io.stream.StreamInput;
import org.opensearch.core.common.io.stream.StreamOutput;
import org.opensearch.core.xcontent.ToXContentObject;
import org.opensearch.core.xcontent.XContentBuilder;
import org.opensearch.transport.TransportRequest;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Per-node model state and statistics ({@code GET models}, {@code GET stats}) and per-node loading
 * ({@code POST models/{name}/_load}), fanned out to every node.
 */
public final class NodesModelsAction extends ActionType<NodesModelsAction.Response> {
    /** Transport action name (monitoring). */
    public static final String NAME = "cluster:monitor/llm_retriever/stats";
    public static final NodesModelsAction INSTANCE = new NodesModelsAction();

    private NodesModelsAction() {
        super(NAME, Response::new);
    }

    /** Which model (null: all) and whether to load it first. */
    public static final class Request extends BaseNodesRequest<Request> {
        private final String model;
        private final boolean load;

        /** New request to all nodes. */
        public Request(String model, boolean load) {
            super((String[]) null);
            this.model = model;
            this.load = load;
        }

        public Request(StreamInput in) throws IOException {
            super(in);
            this.model = in.readOptionalString();
            this.load = in.readBoolean();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeOptionalString(model);
            out.writeBoolean(load);
        }

        public String model() {
            return model;
        }

        public boolean load() {
            return load;
        }
    }

    /** The per-node request: the cluster-wide request, carried whole to each node. */
    public static final class NodeRequest extends TransportRequest {
        private final Request request;

        NodeRequest(Request request) {
            this.request = request;
        }

        public NodeRequest(StreamInput in) throws IOException {
            super(in);
            this.request = new Request(in);
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            request.writeTo(out);
        }

        String model() {
            return request.model();
        }

        boolean load() {
            return request.load();
        }
    }

    /** One node: its inference pool state and each model's state and statistics. */
    public static final class NodeResponse extends BaseNodeResponse {
        private final Map<String, Object> node;
        private final Map<String, Object> models;

        NodeResponse(DiscoveryNode dn, Map<String, Object> node, Map<String, Object> models) {
            super(dn);
            this.node = node;
            this.models = models;
        }

        public NodeResponse(StreamInput in) throws IOException {
            super(in);
            this.node = in.readMap();
            this.models = in.readMap();
        }

        @Override
        public void writeTo(StreamOutput out) throws IOException {
            super.writeTo(out);
            out.writeMap(node);
            out.writeMap(models);
        }

        /** Inference pool and memory. */
        public Map<String, Object> nodeState() {
            return node;
        }

        /** Model name → state and statistics. */
        public Map<String, Object> models() {
            return models;
        }
    }

    /** All nodes. */
    public static final class Response extends BaseNodesResponse<NodeResponse> implements ToXContentObject {
        public Response(ClusterName cluster, List<NodeResponse> nodes, List<FailedNodeException> failures) {
            super(cluster, nodes, failures);
        }

        public Response(StreamInput in) throws IOException {
            super(in);
        }

        @Override
        protected List<NodeResponse> readNodesFrom(StreamInput in) throws IOException {
            return in.readList(NodeResponse::new);
        }

        @Override
        protected void writeNodesTo(StreamOutput out, List<NodeResponse> nodes) throws IOException {
            out.writeList(nodes);
        }

        @Override
        public XContentBuilder toXContent(XContentBuilder builder, Params params) throws IOException {
            builder.startObject();
            builder.startObject("_nodes");
            builder.field("total", getNodes().size() + failures().size());
            builder.field("successful", getNodes().size());
            builder.field("failed", failures().size());
            builder.endObject();
            builder.startObject("nodes");
            for (NodeResponse n : getNodes()) {
                builder.startObject(n.getNode().getName());
                builder.field("node_id", n.getNode().getId());
                builder.field("inference", n.nodeState());
                builder.field("models", n.models());
                builder.endObject();
            }
            builder.endObject();
            return builder.endObject();
        }
    }
}
