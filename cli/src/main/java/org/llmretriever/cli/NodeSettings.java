package org.llmretriever.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Node settings of the CLI's local node. */
final class NodeSettings {
    private NodeSettings() {}

    /** Models live in {@code .llm-retriever/models}, where {@code adapt --register} and {@code quickstart} put them. */
    static Map<String, String> defaults(Path workDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("plugins.llm_retriever.models_path", StateDirs.home().resolve("models").toString());
        return s;
    }
}
