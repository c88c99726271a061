package org.llmretriever.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks, before a node is launched as uid 65534, that this user can reach every path the node needs. A root
 * user's checkout usually lives in {@code /root} (mode 0700), which nobody else may enter; without this check the
 * launch fails with a bare "Permission denied" from bash. The check runs {@code test} under the node's own
 * identity ({@code setpriv}), so ACLs and group bits count exactly as they will for the node.
 */
final class NodeUserAccess {
    private NodeUserAccess() {}

    /**
     * Fails with a message naming the first directory that blocks the node user, and what to do, if any of
     * {@code paths} (path → the access the node needs, as {@code test} flags such as {@code -x} or {@code -w})
     * is out of that user's reach.
     */
    static void require(Map<Path, String> paths, int uid) throws IOException, InterruptedException {
        List<String> script = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups", "sh", "-c",
            "while [ $# -gt 0 ]; do [ \"$1\" \"$2\" ] || printf '%s\\n' \"$2\"; shift 2; done", "sh"));
        paths.forEach((p, flag) -> {
            script.add(flag);
            script.add(p.toString());
        });
        Process p = new ProcessBuilder(script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new IOException("cannot check what uid " + uid + " may read (setpriv failed: " + out + ")");
        }
        if (out.isEmpty()) {
            return;
        }
        Path denied = Path.of(out.lines().findFirst().orElseThrow());
        Optional<Path> blocking = blockingAncestor(denied);
        String where = blocking.map(d -> describe(d) + ", which uid " + uid + " may not enter").orElse("its permissions");
        throw new IOException("the node runs as uid " + uid + " (OpenSearch refuses to run as root), and that user cannot reach "
            + denied + " because of " + where + ". Keep the node's files outside that directory: ./llm-retriever does so by itself "
            + "for its own checkout (state under /var/lib/llm-retriever); when you set LLM_RETRIEVER_HOME, JAVA_HOME or a "
            + "models path yourself, pick a directory every user may traverse (e.g. under /var/lib or /opt), or grant that user "
            + "passage only: setfacl -m u:" + uid + ":x " + blocking.map(Path::toString).orElse("<directory>"));
    }

    /** The outermost existing ancestor of {@code path} (or the path itself) that others may not traverse. */
    static Optional<Path> blockingAncestor(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        List<Path> chain = new ArrayList<>();
        for (Path p = abs; p != null; p = p.getParent()) {
            chain.add(0, p);
        }
        for (Path p : chain) {
            try {
                if (Files.isDirectory(p) && !Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(p);
                }
            } catch (IOException | UnsupportedOperationException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String describe(Path dir) {
        try {
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
            return dir + " (mode " + PosixFilePermissions.toString(a.permissions()) + ", owner " + a.owner().getName() + ")";
        } catch (IOException | UnsupportedOperationException e) {
            return dir.toString();
        }
    }

    /** Hands a tree to another user ({@code chown -R}); used when the harness runs as root. */
    static void chown(Path root, int uid, int gid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("chown", "-R", uid + ":" + gid, root.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("chown -R " + uid + ":" + gid + " " + root + " failed: " + out);
        }
    }
}
