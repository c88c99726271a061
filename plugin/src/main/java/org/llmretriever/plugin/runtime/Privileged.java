package org.llmretriever.plugin.runtime;

import java.security.AccessController;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;

/**
 * Runs DJL code inside the node: with the plugin's class loader as thread context class loader (DJL finds its
 * engines and native jars through it) and as a privileged block (the node's policy agent then checks only the
 * plugin's own grants, not the callers' further up the stack).
 */
public final class Privileged {
    private Privileged() {}

    /** A computation that may throw. */
    @FunctionalInterface
    public interface Call<T> {
        T call() throws Exception;
    }

    /** Runs {@code call} privileged with the plugin class loader; unwraps checked exceptions into runtime ones. */
    @SuppressWarnings("removal")
    public static <T> T run(Call<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try {
            return AccessController.doPrivileged((PrivilegedExceptionAction<T>) () -> {
                thread.setContextClassLoader(Privileged.class.getClassLoader());
                try {
                    return call.call();
                } finally {
                    thread.setContextClassLoader(previous);
                }
            });
        } catch (PrivilegedActionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }
}
