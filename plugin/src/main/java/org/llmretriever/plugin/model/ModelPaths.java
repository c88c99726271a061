package org.llmretriever.plugin.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Confines user-given model and adapter paths to {@code plugins.llm_retriever.models_path}: relative paths are
 * resolved under it, {@code ..} is refused outright, and the real path (symbolic links followed) must stay
 * inside the real root. A REST caller can therefore never make the node read an arbitrary file.
 */
public final class ModelPaths {
    private final Path root;

    /** The confining directory. */
    public ModelPaths(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The models directory. */
    public Path root() {
        return root;
    }

    /**
     * Resolves {@code userPath} (relative to the root, or absolute inside it) to a real directory inside the root.
     *
     * @param field the request field, for messages ({@code path} or {@code adapter})
     */
    public Path resolve(String userPath, String field) {
        if (userPath == null || userPath.isBlank()) {
            throw new IllegalArgumentException("[" + field + "] is required");
        }
        for (String part : userPath.replace('\\', '/').split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("[" + field + "] '" + userPath + "' must not contain '..'");
            }
        }
        Path p = Path.of(userPath);
        Path resolved = (p.isAbsolute() ? p : root.resolve(p)).normalize();
        if (!resolved.startsWith(root)) {
            throw new IllegalArgumentException("[" + field + "] '" + userPath + "' is outside plugins.llm_retriever.models_path (" + root + ")");
        }
        if (!Files.exists(resolved)) {
            throw new IllegalArgumentException("[" + field + "] '" + userPath + "' does not exist under plugins.llm_retriever.models_path (" + root + ")");
        }
        try {
            Path realRoot = root.toRealPath();
            Path real = resolved.toRealPath();
            if (!real.startsWith(realRoot)) {
                throw new IllegalArgumentException("[" + field + "] '" + userPath + "' leads through a symbolic link to " + real
                    + ", outside plugins.llm_retriever.models_path (" + realRoot + ")");
            }
            if (!Files.isDirectory(real)) {
                throw new IllegalArgumentException("[" + field + "] '" + userPath + "' is not a directory");
            }
            return real;
        } catch (IOException e) {
            throw new IllegalArgumentException("[" + field + "] '" + userPath + "' cannot be resolved: " + e.getMessage(), e);
        }
    }
}
