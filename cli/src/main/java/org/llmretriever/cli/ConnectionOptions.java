package org.llmretriever.cli;

import org.llmretriever.trainer.client.SearchClient;
import picocli.CommandLine.Option;

/** {@code --opensearch URL --user --password --insecure}, shared by commands that talk to a cluster. */
final class ConnectionOptions {
    @Option(names = "--opensearch", description = "Cluster URL, e.g. http://127.0.0.1:9200.")
    String url;

    @Option(names = "--user", description = "Basic-auth user.")
    String user;

    @Option(names = "--password", description = "Basic-auth password (or OPENSEARCH_PASSWORD).", arity = "0..1", interactive = true)
    String password;

    @Option(names = "--insecure", description = "Skip TLS certificate checks (https).")
    boolean insecure;

    SearchClient connect() {
        if (url == null) {
            throw new IllegalArgumentException("--opensearch URL is required here");
        }
        String pw = password != null ? password : System.getenv("OPENSEARCH_PASSWORD");
        return SearchClient.connect(url, user, pw, insecure);
    }
}
