package org.llmretriever.plugin.action;

import org.opensearch.Version;
import org.opensearch.cluster.ClusterName;
import org.opensearch.cluster.ClusterState;
import org.opensearch.cluster.node.DiscoveryNode;
import org.opensearch.cluster.node.DiscoveryNodes;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.node.NodeClosedException;
import org.opensearch.test.OpenSearchTestCase;
import org.opensearch.transport.ConnectTransportException;
import org.opensearch.transport.NodeDisconnectedException;
import org.opensearch.transport.RemoteTransportException;

import java.net.InetAddress;
import java.util.Map;
import java.util.Set;

/** Which nodes run models, and which failures send a request on to another of them. */
public class InferenceRoutingTests extends OpenSearchTestCase {
    private static int port = 9300;

    private static DiscoveryNode node(String name, Map<String, String> attrs) {
        return new DiscoveryNode(name, name, new TransportAddress(InetAddress.getLoopbackAddress(), port++), attrs, Set.of(), Version.CURRENT);
    }

    private static ClusterState state(DiscoveryNode... nodes) {
        DiscoveryNodes.Builder b = DiscoveryNodes.builder();
        for (DiscoveryNode n : nodes) {
            b.add(n);
        }
        return ClusterState.builder(new ClusterName("t")).nodes(b.localNodeId(nodes[0].getId())).build();
    }

    public void testSelectorMatchesAttributesWithAlternatives() {
        DiscoveryNode data = node("data", Map.of());
        DiscoveryNode gpu = node("gpu", Map.of("llm_inference", "true"));
        DiscoveryNode cpu = node("cpu", Map.of("llm_inference", "false", "zone", "b"));
        DiscoveryNode b = node("zone-b", Map.of("zone", "b"));
        ClusterState s = state(data, gpu, cpu, b);
        assertEquals(Set.of(gpu), Set.copyOf(InferenceNodes.select(s, "llm_inference:true")));
        assertEquals(Set.of(gpu, cpu, b), Set.copyOf(InferenceNodes.select(s, "llm_inference:true, zone:b")));
        assertTrue(InferenceNodes.select(s, "llm_inference:yes").isEmpty());
        assertTrue("a selector without a value matches nothing", InferenceNodes.select(s, "llm_inference").isEmpty());
    }

    public void testOnlyUnreachableOrClosingNodesAreRetriedElsewhere() {
        DiscoveryNode gpu = node("gpu", Map.of());
        assertTrue(TransportEmbedAction.isNodeFailure(new ConnectTransportException(gpu, "refused")));
        assertTrue(TransportEmbedAction.isNodeFailure(new NodeDisconnectedException(gpu, "embed")));
        assertTrue(TransportEmbedAction.isNodeFailure(new NodeClosedException(gpu)));
        assertTrue(TransportEmbedAction.isNodeFailure(
            new RemoteTransportException("gpu", new NodeClosedException(gpu))));
        // the node answered with an error of the request itself: retrying elsewhere would only repeat it
        assertFalse(TransportEmbedAction.isNodeFailure(
            new RemoteTransportException("gpu", new IllegalArgumentException("[texts] must be a non-empty list"))));
        assertFalse(TransportEmbedAction.isNodeFailure(new IllegalArgumentException("model [m] is not registered")));
    }
}
