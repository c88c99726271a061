package org.llmretriever.encoder.files;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * Small file-tree helpers shared by the modules that write directories: the trainer (checkpoints, model copies),
 * the node harness (node homes, logs) and the CLI. Plain {@code java.nio}; nothing here is specific to models.
 */
public final class FileTrees {
    private FileTrees() {}

    /** Deletes a directory tree; a missing tree is fine. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * A file's {@code name:size:modification-millis}: what the caches keyed on files (installations, adaptations,
     * evaluation indices) compare, instead of reading the contents.
     */
    public static String stamp(Path file) throws IOException {
        return file.getFileName() + ":" + Files.size(file) + ":" + Files.getLastModifiedTime(file).toMillis();
    }

    /** The last {@code n} lines of a text file, or a note that it does not exist. */
    public static String tail(Path file, int n) {
        if (!Files.isRegularFile(file)) {
            return "(no " + file + ")";
        }
        try (Stream<String> lines = Files.lines(file)) {
            Deque<String> last = new ArrayDeque<>();
            lines.forEach(l -> {
                last.addLast(l);
                if (last.size() > n) {
                    last.removeFirst();
                }
            });
            return String.join("\n", last);
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    /** Copies a directory tree (files only; existing files are replaced). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
