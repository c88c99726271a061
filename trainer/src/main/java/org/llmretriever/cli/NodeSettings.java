package org.llmretriever.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Node settings the CLI's local node uses. */
final class NodeSettings {
    private NodeSettings() {}

    static Map<String, String> defaults(Path workDir) {
        Map<String, String> s = new LinkedHashMap<>();
        return s;
    }
}
