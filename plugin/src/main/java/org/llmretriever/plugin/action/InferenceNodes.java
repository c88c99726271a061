package org.llmretriever.plugin.action;

import org.llmretriever.plugin.settings.LlmRetrieverSettings;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.cluster.service.ClusterService;

import java.util.ArrayList;
import java.util.List;

/**
 * The nodes that run models, as selected by {@code plugins.llm_retriever.inference_nodes} ({@code attr:value},
 * alternatives comma-separated). An empty selector means every node runs models itself.
 */
final class InferenceNodes {
    private volatile String selector;

    InferenceNodes(ClusterService clusterService) {
        this.selector = LlmRetrieverSettings.INFERENCE_NODES.get(clusterService.getSettings());
        clusterService.getClusterSettings().addSettingsUpdateConsumer(LlmRetrieverSettings.INFERENCE_NODES, v -> selector = v);
    }

    /** The current selector; blank when nodes embed locally. */
    String selector() {
        return selector;
    }

    /** Whether some nodes are selected (otherwise every node embeds locally). */
    boolean routed() {
        String s = selector;
        return s != null && !s.isBlank();
    }

    /** The selected nodes of a cluster state (empty when none matches). */
    List<DiscoveryNode> select(ClusterState state) {
        return select(state, selector);
    }

    /** Nodes whose attributes match {@code attr:value[,attr:value...]}. */
    static List<DiscoveryNode> select(ClusterState state, String selector) {
        List<DiscoveryNode> out = new ArrayList<>();
        for (DiscoveryNode n : state.nodes()) {
            for (String alt : selector.split(",")) {
                String[] kv = alt.trim().split(":", 2);
                if (kv.length == 2 && kv[1].trim().equals(n.getAttributes().get(kv[0].trim()))) {
                    out.add(n);
                    break;
                }
            }
        }
        return out;
    }
}
