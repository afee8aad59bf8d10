package dev.runledger.deploy.cli;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.Directories;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.schemas.config.LedgerConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The whole system for a command that runs and stops by itself ({@code demo}, {@code bench}): a
 * temporary data directory, an embedded broker in it unless {@code --bootstrap-servers} was given,
 * and HTTP on a free port, on the loopback interface unless {@code http.host} is set. Closing stops
 * everything and deletes the directory.
 */
final class TemporaryStack implements AutoCloseable {
  private final Path data;
  private final DevStack stack;

  private TemporaryStack(final Path data, final DevStack stack) {
    this.data = data;
    this.stack = stack;
  }

  /** Starts it; {@code overrides} are applied on top of the command's configuration. */
  static TemporaryStack start(
      final ConfigOptions config, final String name, final Map<String, String> overrides) {
    final Path data = Directories.temporary("runledger-" + name);
    try {
      final Map<String, String> settings = new HashMap<>(overrides);
      settings.put(LedgerConfig.HTTP_PORT, "0");
      settings.put(LedgerConfig.STATE_DIR, data.resolve("state").toString());
      final EmbeddedKafka kafka =
          config.hasBootstrapServers() ? null : EmbeddedKafka.inDir(data.resolve("kafka"), 0);
      return new TemporaryStack(data, DevStack.start(config.loadSingleBroker(settings), kafka));
    } catch (final RuntimeException e) {
      Directories.deleteRecursively(data);
      throw e;
    }
  }

  DevStack stack() {
    return stack;
  }

  /** The temporary data directory (deleted by {@link #close}). */
  Path dir() {
    return data;
  }

  @Override
  public void close() {
    try {
      stack.close();
    } finally {
      Directories.deleteRecursively(data);
    }
  }
}
