package org.llmretriever.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/** Picks free TCP ports on 127.0.0.1. */
public final class Ports {
    private Ports() {}

    /** Whether {@code port} can be bound on 127.0.0.1 right now. */
    public static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code preferred} if free (and > 0), else an ephemeral free port not in {@code taken}. */
    public static int pick(int preferred, Set<Integer> taken) {
        if (preferred > 0 && !taken.contains(preferred) && isFree(preferred)) {
            taken.add(preferred);
            return preferred;
        }
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException("cannot find a free port on 127.0.0.1: " + e.getMessage(), e);
            }
            if (taken.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("cannot find a free port on 127.0.0.1");
    }

    /** A fresh set for {@link #pick}. */
    public static Set<Integer> newTakenSet() {
        return new HashSet<>();
    }
}
