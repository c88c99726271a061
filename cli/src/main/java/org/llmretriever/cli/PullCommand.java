package org.llmretriever.cli;

import me.tongfei.progressbar.ProgressBar;
import org.llmretriever.encoder.checkpoint.CheckpointException;
import org.llmretriever.encoder.checkpoint.HubDownloader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code pull org/name --to models}: downloads a Hugging Face checkpoint (resumable, size/sha256 checked) and
 * places it as {@code <to>/<name>}, the layout {@code plugins.llm_retriever.models_path} and the docker-compose
 * {@code ./models} volume expect. Files are hard-linked from the download cache when possible, else copied.
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
    description = "Download a Hugging Face checkpoint into a models directory (for models_path / docker-compose).")
public final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "REPO", description = "Hugging Face repository id, e.g. Qwen/Qwen2.5-0.5B.")
    String repo;

    @Option(names = "--to", defaultValue = "models", description = "Models directory (default: ${DEFAULT-VALUE}).")
    Path to;

    @Option(names = "--revision", defaultValue = "main", description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(names = "--name", description = "Directory name under --to (default: the repository name).")
    String name;

    @Option(names = "--endpoint", description = "Hub endpoint (default: $HF_ENDPOINT or https://huggingface.co).")
    String endpoint;

    @Option(names = "--cache", description = "Download cache, reused and resumed across pulls "
        + "(default: $LLM_RETRIEVER_HUB_CACHE or ~/.cache/llm-retriever/hub).")
    Path cache;

    @Override
    public Integer call() throws Exception {
        Path downloaded;
        try (ProgressTracker progress = new ProgressTracker()) {
            downloaded = new HubDownloader(endpoint != null ? endpoint : HubDownloader.defaultEndpoint(),
                cache != null ? cache : HubDownloader.defaultCacheRoot(), System.getenv("HF_TOKEN"), progress).download(repo, revision);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (CheckpointException e) {
            System.err.println("error: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        String dirName = name != null ? name : repo.substring(repo.indexOf('/') + 1);
        Path target = to.toAbsolutePath().resolve(dirName).normalize();
        if (!target.getParent().equals(to.toAbsolutePath().normalize())) {
            System.err.println("error: --name '" + dirName + "' must be a plain directory name");
            return ExitCodes.USAGE;
        }
        place(downloaded, target);
        System.out.println(repo + "@" + revision + " -> " + target);
        System.out.println("register it with \"path\": \"" + dirName + "\" when plugins.llm_retriever.models_path is " + to.toAbsolutePath().normalize());
        return ExitCodes.OK;
    }

    /** Links (or copies) the downloaded files into {@code target}, replacing files of an earlier pull. */
    static void place(Path downloaded, Path target) throws IOException {
        Files.createDirectories(target);
        List<Path> files;
        try (Stream<Path> s = Files.list(downloaded)) {
            files = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
        for (Path f : files) {
            Path dest = target.resolve(f.getFileName().toString());
            Files.deleteIfExists(dest);
            try {
                Files.createLink(dest, f);
            } catch (IOException | UnsupportedOperationException e) {
                if (e instanceof FileAlreadyExistsException) {
                    throw (IOException) e;
                }
                Files.copy(f, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** One progress bar per file, in bytes. */
    private static final class ProgressTracker implements HubDownloader.Listener, AutoCloseable {
        private String file;
        private ProgressBar bar;

        @Override
        public void progress(String f, long done, long total) {
            if (!f.equals(file)) {
                close();
                file = f;
                bar = Progress.bar(f, Math.max(total, 0), "B");
            }
            if (total > 0 && bar.getMax() != total) {
                bar.maxHint(total);
            }
            bar.stepTo(done);
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
