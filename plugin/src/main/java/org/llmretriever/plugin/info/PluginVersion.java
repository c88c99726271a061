package org.llmretriever.plugin.info;

/** The plugin version, from the jar manifest (set by Maven). */
public final class PluginVersion {
    private PluginVersion() {}

    /** e.g. {@code 0.1.0}; {@code dev} when run from classes (unit tests). */
    public static String get() {
        String v = PluginVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
