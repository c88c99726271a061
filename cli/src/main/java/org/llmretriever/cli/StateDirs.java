package org.llmretriever.cli;

import java.nio.file.Path;

/** Where the CLI keeps its state: {@code $LLM_RETRIEVER_HOME}, else {@code .llm-retriever} in the project directory. */
public final class StateDirs {
    private StateDirs() {}

    /** The state root ({@code node/}, {@code cache/}, {@code models/}, ...). */
    public static Path home() {
        String env = System.getenv("LLM_RETRIEVER_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        String prop = System.getProperty("llmretriever.home");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        return Path.of(".llm-retriever").toAbsolutePath();
    }

    /** Cache of installed OpenSearch distributions ({@code llmretriever.install.cache}, else under {@link #home()}). */
    public static Path installCache() {
        String prop = System.getProperty("llmretriever.install.cache");
        return prop != null ? Path.of(prop) : home().resolve("install");
    }

    /** Directory with data the build fetched (the quickstart's sample corpus). */
    public static Path dataDir() {
        String prop = System.getProperty("llmretriever.data.dir");
        return prop != null ? Path.of(prop) : Path.of("cli", "target", "data").toAbsolutePath();
    }

    /** The base model shipped with the project ({@code models/demo-base}, see its README), used offline by the quickstart. */
    public static Path shippedBaseModel() {
        String prop = System.getProperty("llmretriever.models.dir");
        return (prop != null ? Path.of(prop) : Path.of("models").toAbsolutePath()).resolve("demo-base");
    }

    /** Directory with the OpenSearch/k-NN/llm-retriever zips (copied there by the build). */
    public static Path distDir() {
        String prop = System.getProperty("llmretriever.dist.dir");
        return prop != null ? Path.of(prop) : Path.of("harness", "target", "dist").toAbsolutePath();
    }
}
