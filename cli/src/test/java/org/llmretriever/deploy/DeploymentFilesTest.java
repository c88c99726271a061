package org.llmretriever.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/**
 * The docker-compose deployment as files: services, images, GPU reservation, plugin zips that the build names
 * the same way, mounts, and node settings that agree with each other. (DeploymentConfigIT starts real nodes
 * from the same config files.)
 */
public class DeploymentFilesTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static Path root;
    private static String version;
    private static JsonNode compose;

    @BeforeClass
    public static void read() throws IOException {
        root = Path.of(System.getProperty("llmretriever.repo.dir")).toAbsolutePath().normalize();
        version = System.getProperty("llmretriever.version");
        compose = YAML.readTree(root.resolve("docker-compose.yml").toFile());
    }

    private static JsonNode service(String name) {
        JsonNode s = compose.path("services").path(name);
        assertTrue("docker-compose.yml has no service " + name, s.isObject());
        return s;
    }

    /** A node config file's settings with nested keys joined by dots. */
    private static Map<String, JsonNode> settings(String file) throws IOException {
        Map<String, JsonNode> flat = new HashMap<>();
        flatten("", YAML.readTree(root.resolve(file).toFile()), flat);
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, node);
        }
    }

    @Test
    public void twoOpenSearchNodesAndDashboardsOnOneVersion() throws IOException {
        Set<String> names = new TreeSet<>();
        compose.path("services").fieldNames().forEachRemaining(names::add);
        assertEquals(Set.of("dashboards", "opensearch-data", "opensearch-inference"), names);
        assertEquals("opensearchproject/opensearch-dashboards:3.5.0", service("dashboards").path("image").asText());
        assertTrue(service("dashboards").path("environment").path("OPENSEARCH_HOSTS").asText().contains("http://opensearch-data:9200"));
        String dockerfile = Files.readString(root.resolve("docker/Dockerfile"));
        assertTrue("the image builds on the official OpenSearch 3.5.0 image", dockerfile.contains("FROM opensearchproject/opensearch:3.5.0\n"));
        for (String s : List.of("opensearch-data", "opensearch-inference")) {
            assertEquals("docker/Dockerfile", service(s).path("build").path("dockerfile").asText());
        }
    }

    @Test
    public void pluginZipsAreTheOnesTheBuildProduces() throws IOException {
        assertEquals("plugin/target/llm-retriever-" + version + ".zip",
            service("opensearch-data").path("build").path("args").path("PLUGIN_ZIP").asText());
        assertEquals("plugin/target/llm-retriever-" + version + "-cu124.zip",
            service("opensearch-inference").path("build").path("args").path("PLUGIN_ZIP").asText());
        // The CPU zip exists whenever the trainer is tested (the reactor packages the plugin first).
        assertTrue("CPU plugin zip was not built under that name", Files.isRegularFile(root.resolve("plugin/target/llm-retriever-" + version + ".zip")));
        assertTrue("the zip name carries the profile's suffix",
            Files.readString(root.resolve("plugin/pom.xml")).contains("<finalName>llm-retriever-${project.version}${plugin.zip.suffix}</finalName>"));
        assertTrue("the cuda profile names its zip with the -cu124 suffix",
            Files.readString(root.resolve("pom.xml")).contains("<plugin.zip.suffix>-cu124</plugin.zip.suffix>"));
        List<String> ignore = Files.readAllLines(root.resolve(".dockerignore"), StandardCharsets.UTF_8);
        assertTrue(".dockerignore must let the plugin zips into the build context", ignore.contains("!plugin/target/llm-retriever-*.zip"));
    }

    @Test
    public void theInferenceNodeReservesAnNvidiaGpu() {
        JsonNode devices = service("opensearch-inference").at("/deploy/resources/reservations/devices");
        assertEquals(1, devices.size());
        assertEquals("nvidia", devices.get(0).path("driver").asText());
        assertTrue(devices.get(0).path("capabilities").toString(), devices.get(0).path("capabilities").toString().contains("\"gpu\""));
        assertTrue("the data node needs no GPU", service("opensearch-data").at("/deploy/resources/reservations/devices").isMissingNode());
    }

    @Test
    public void nodesMountTheirConfigAndTheModelsVolume() throws IOException {
        for (String s : List.of("opensearch-data", "opensearch-inference")) {
            List<String> volumes = new ArrayList<>();
            service(s).path("volumes").forEach(v -> volumes.add(v.asText()));
            assertTrue(s + " " + volumes, volumes.contains("./models:/models:ro"));
            String configMount = "./config/" + s + ".yml:/usr/share/opensearch/config/opensearch.yml:ro";
            assertTrue(s + " " + volumes, volumes.contains(configMount));
            assertTrue(Files.isRegularFile(root.resolve("config/" + s + ".yml")));
            Map<String, JsonNode> cfg = settings("config/" + s + ".yml");
            assertEquals(s, "/models", cfg.get("plugins.llm_retriever.models_path").asText());
            assertEquals(s, s, cfg.get("node.name").asText());
            Set<String> seeds = new TreeSet<>();
            cfg.get("discovery.seed_hosts").forEach(h -> seeds.add(h.asText()));
            assertEquals(Set.of("opensearch-data", "opensearch-inference"), seeds);
            assertTrue(s + " persists its data in a named volume", volumes.stream().anyMatch(v -> v.endsWith(":/usr/share/opensearch/data")));
        }
    }

    @Test
    public void theInferenceSelectorMatchesOnlyTheInferenceNode() throws IOException {
        Map<String, JsonNode> data = settings("config/opensearch-data.yml");
        Map<String, JsonNode> inference = settings("config/opensearch-inference.yml");
        String selector = data.get("plugins.llm_retriever.inference_nodes").asText();
        assertEquals("both nodes must agree on the selector", selector, inference.get("plugins.llm_retriever.inference_nodes").asText());
        String[] kv = selector.split(":", 2);
        assertEquals(kv[1], inference.get("node.attr." + kv[0]).asText());
        assertFalse("the data node must not match", data.containsKey("node.attr." + kv[0]));
        assertEquals("the inference node holds no data", 0, inference.get("node.roles").size());
    }

    @Test
    public void dockerComposeAcceptsTheFile() throws Exception {
        String exe = findOnPath("docker-compose");
        Assume.assumeTrue("docker-compose is not installed (apt-get install docker-compose); skipping its own validation", exe != null);
        Process p = new ProcessBuilder(exe, "-f", root.resolve("docker-compose.yml").toString(), "config", "-q")
            .directory(root.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("docker-compose config timed out", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("docker-compose config: " + out, 0, p.exitValue());
    }

    private static String findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
