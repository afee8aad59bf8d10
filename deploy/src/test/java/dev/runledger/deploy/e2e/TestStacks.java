package dev.runledger.deploy.e2e;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.schemas.config.LedgerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Stacks for end-to-end test classes: the shared broker, a topic prefix and state dir of their own.
 */
final class TestStacks {
  private TestStacks() {}

  /** A unique topic prefix for a test class, e.g. {@code t-pipeline-1a2b3c4d.}. */
  static String prefix(final String name) {
    return "t-"
        + name.toLowerCase(Locale.ROOT)
        + "-"
        + UUID.randomUUID().toString().substring(0, 8)
        + ".";
  }

  /** The settings a test stack runs with. */
  static LedgerConfig config(
      final EmbeddedKafka kafka,
      final String prefix,
      final Path stateDir,
      final Map<String, String> extra) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(LedgerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(LedgerConfig.TOPIC_PREFIX, prefix);
    settings.put(LedgerConfig.TOPIC_PARTITIONS, "3");
    settings.put(LedgerConfig.STATE_DIR, stateDir.toString());
    settings.put(LedgerConfig.HTTP_PORT, "0");
    settings.put(HttpServer.HOST, "127.0.0.1");
    settings.putAll(extra);
    return LedgerConfig.of(settings);
  }

  /** Starts every service on the shared broker with its own topics and state. */
  static DevStack start(final EmbeddedKafka kafka, final String name, final Path stateDir) {
    return DevStack.start(config(kafka, prefix(name), stateDir, Map.of()));
  }
}
