package org.llmretriever.node;

import org.junit.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

public class PortsTest {
    @Test
    public void takenPortIsReplacedByAFreeOne() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            assertFalse(Ports.isFree(port));
            int picked = Ports.pick(port, Ports.newTakenSet());
            assertNotEquals(port, picked);
            assertTrue(Ports.isFree(picked));
        }
    }

    @Test
    public void freePreferredPortIsKept() {
        int free = Ports.pick(0, Ports.newTakenSet());
        assertEquals(free, Ports.pick(free, Ports.newTakenSet()));
    }

    @Test
    public void portsAreNotHandedOutTwice() {
        Set<Integer> taken = Ports.newTakenSet();
        int a = Ports.pick(0, taken);
        int b = Ports.pick(a, taken);
        assertNotEquals(a, b);
    }
}
