package dev.runledger.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import dev.runledger.schemas.http.ApiPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Keeps {@code deploy/compose.yaml} and {@code deploy/k8s/} in step with the code (README "Deploy
 * with Compose", "Deploy on Kubernetes"): every runledger configuration key they set, in a config
 * file or as a {@code RUNLEDGER_*} variable, is a defined setting, and every command a runledger
 * container runs is a {@code ledger} command with options it takes.
 */
class DeployFilesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String ENV_PREFIX = "RUNLEDGER_";
  private static final String IMAGE = "runledger:";

  @Test
  void shouldSetOnlyKnownKeysAndRunOnlyLedgerCommandsWhenComposing() throws IOException {
    // given
    final JsonNode services =
        documents(deployDir().resolve("compose.yaml")).get(0).path("services");

    // then
    final List<String> commands = new ArrayList<>();
    services
        .properties()
        .forEach(
            service -> {
              final JsonNode spec = service.getValue();
              if (spec.path("image").asText().startsWith(IMAGE)) {
                commands.add(runs(spec.path("command")));
                spec.path("environment").properties().forEach(e -> assertKnownVariable(e.getKey()));
              }
            });
    assertThat(commands)
        .contains("topics create", "orchestrator", "projections", "gateway", "worker");
    final List<String> brokers =
        services.properties().stream()
            .filter(s -> s.getValue().path("image").asText().startsWith("apache/kafka:"))
            .map(s -> s.getValue().at("/environment/KAFKA_PROCESS_ROLES").asText())
            .toList();
    assertThat(brokers)
        .containsExactly("broker,controller", "broker,controller", "broker,controller");
    // workers scale: no fixed container name or host port
    assertThat(services.path("worker").has("container_name")).isFalse();
    assertThat(services.path("worker").has("ports")).isFalse();
  }

  @Test
  void shouldSetOnlyKnownKeysAndRunOnlyLedgerCommandsOnKubernetes() throws IOException {
    // given
    final List<JsonNode> resources = new ArrayList<>();
    try (Stream<Path> files = Files.list(deployDir().resolve("k8s"))) {
      for (final Path file : files.sorted().toList()) {
        resources.addAll(documents(file));
      }
    }

    // then: the configuration file of the ConfigMap holds known keys only
    final JsonNode config = kind(resources, "ConfigMap").get(0).at("/data/ledger.yaml");
    final Map<String, String> keys = flatten(YAML.readTree(config.asText()));
    assertThat(keys).containsKeys(LedgerConfig.BOOTSTRAP_SERVERS, "auth.tokens.file");
    keys.keySet().forEach(DeployFilesTest::assertKnownKey);

    // and: every container runs a ledger command, reads the config and is ready on /healthz
    final List<String> commands = new ArrayList<>();
    for (final JsonNode resource : resources) {
      for (final JsonNode container : resource.at("/spec/template/spec/containers")) {
        assertThat(container.path("image").asText()).startsWith(IMAGE);
        commands.add(runs(container.path("args")));
        container.path("env").forEach(e -> assertKnownVariable(e.path("name").asText()));
        if (!"Job".equals(resource.path("kind").asText())) {
          assertThat(container.at("/readinessProbe/httpGet/path").asText())
              .as(resource.at("/metadata/name").asText())
              .isEqualTo(ApiPaths.HEALTH);
        }
      }
    }
    assertThat(commands)
        .contains("topics create", "orchestrator", "projections", "gateway", "worker");

    // and: projections a StatefulSet with a stable URL per pod, workers a Deployment
    final JsonNode projections = named(kind(resources, "StatefulSet"), "projections");
    assertThat(projections.at("/spec/serviceName").asText()).isNotBlank();
    assertThat(projections.at("/spec/template/spec/containers/0/env").toString())
        .contains("RUNLEDGER_PROJECTIONS_ADVERTISED_URL")
        .contains("$(POD_NAME)." + projections.at("/spec/serviceName").asText());
    assertThat(named(kind(resources, "Deployment"), "worker")).isNotNull();
    assertThat(kind(resources, "Secret").get(0).at("/stringData/tokens.yaml").isTextual()).isTrue();
  }

  /** The command a runledger container runs, e.g. {@code topics create}; fails if it is none. */
  private static String runs(final JsonNode argsNode) {
    final List<String> args = new ArrayList<>();
    argsNode.forEach(a -> args.add(a.asText()));
    final CommandLine.ParseResult parsed =
        LedgerCli.commandLine().parseArgs(args.toArray(String[]::new));
    final List<String> names = new ArrayList<>();
    for (CommandLine.ParseResult sub = parsed.subcommand(); sub != null; sub = sub.subcommand()) {
      names.add(sub.commandSpec().name());
    }
    assertThat(names).as("command %s", args).isNotEmpty();
    return String.join(" ", names);
  }

  private static void assertKnownVariable(final String name) {
    if (name.startsWith(ENV_PREFIX)) {
      assertKnownKey(
          name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'));
    }
  }

  /**
   * A defined setting's key or alias, or a key passed to Kafka ({@code kafka.*}, {@code
   * streams.*}).
   */
  private static void assertKnownKey(final String key) {
    final boolean known =
        key.startsWith(LedgerConfig.KAFKA_PREFIX)
            || key.startsWith(LedgerConfig.STREAMS_PREFIX)
            || LedgerSettings.ALL.stream().anyMatch(s -> defines(s, key));
    assertThat(known).as("'%s' is a runledger setting", key).isTrue();
  }

  private static boolean defines(final Setting<?> setting, final String key) {
    return matches(setting.key(), key) || setting.aliases().stream().anyMatch(a -> matches(a, key));
  }

  /** Whether {@code key} is {@code template}, a {@code <name>} segment matching any segment. */
  private static boolean matches(final String template, final String key) {
    final String[] want = template.split("\\.", -1);
    final String[] got = key.split("\\.", -1);
    if (want.length != got.length) {
      return false;
    }
    for (int i = 0; i < want.length; i++) {
      if (!want[i].startsWith("<") && !want[i].equals(got[i])) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> flatten(final JsonNode node) {
    final Map<String, String> flat = new TreeMap<>();
    flatten("", node, flat);
    return flat;
  }

  private static void flatten(
      final String prefix, final JsonNode node, final Map<String, String> into) {
    if (node.isObject()) {
      node.properties()
          .forEach(
              e ->
                  flatten(
                      prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                      e.getValue(),
                      into));
    } else {
      into.put(prefix, node.asText());
    }
  }

  private static List<JsonNode> kind(final List<JsonNode> resources, final String kind) {
    final List<JsonNode> found =
        resources.stream().filter(r -> kind.equals(r.path("kind").asText())).toList();
    assertThat(found).as(kind).isNotEmpty();
    return found;
  }

  private static JsonNode named(final List<JsonNode> resources, final String name) {
    return resources.stream()
        .filter(r -> name.equals(r.at("/metadata/name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no resource named " + name));
  }

  private static List<JsonNode> documents(final Path file) throws IOException {
    final List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      while (it.hasNext()) {
        final JsonNode document = it.next();
        if (document != null && !document.isNull()) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  private static Path deployDir() {
    return Files.isDirectory(Path.of("k8s")) ? Path.of(".") : Path.of("deploy");
  }
}
