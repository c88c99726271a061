package org.llmretriever.plugin.runtime;

import org.apache.logging.slf4j.Log4jLoggerFactory;
import org.apache.logging.slf4j.Log4jMarkerFactory;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

/**
 * slf4j's {@code LoggerFactory} as the encoder and DJL see it inside the node: the plugin build rewrites their calls
 * to {@code org.slf4j.LoggerFactory} to this class (maven-shade-plugin, see plugin/pom.xml), which hands out log4j's
 * slf4j loggers, so their lines land in the node's log.
 *
 * <p>Why not slf4j's own factory: the plugin extends k-NN ({@code extended.plugins}), whose class loader, searched
 * before ours, holds k-NN's slf4j-api and no provider; its {@code LoggerFactory} binds to the no-op logger. A second
 * slf4j-api in our zip is refused as jar hell, and relocating all of slf4j is no way out: libtorch's JNI library
 * looks up the field {@code JniUtils.logger} by its type {@code org.slf4j.Logger} when it loads. So the slf4j types
 * stay k-NN's, and only the factory is ours.
 */
public final class Slf4jLoggerFactory {
    private static final ILoggerFactory LOG4J = new Log4jLoggerFactory(new Log4jMarkerFactory());

    private Slf4jLoggerFactory() {}

    /** The logger named after {@code clazz}, as {@code org.slf4j.LoggerFactory.getLogger(Class)}. */
    public static Logger getLogger(Class<?> clazz) {
        return getLogger(clazz.getName());
    }

    /** The logger of that name, as {@code org.slf4j.LoggerFactory.getLogger(String)}. */
    public static Logger getLogger(String name) {
        return LOG4J.getLogger(name);
    }

    /** log4j's slf4j logger factory, as {@code org.slf4j.LoggerFactory.getILoggerFactory()}. */
    public static ILoggerFactory getILoggerFactory() {
        return LOG4J;
    }
}
