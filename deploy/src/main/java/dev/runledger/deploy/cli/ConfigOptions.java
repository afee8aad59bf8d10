package dev.runledger.deploy.cli;

import dev.runledger.deploy.LedgerSettings;
import dev.runledger.projections.tools.LedgerTools;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --config FILE}, {@code --set KEY=VALUE} and {@code --bootstrap-servers}. */
final class ConfigOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration file (YAML or .properties); RUNLEDGER_* variables override it.")
  Path file;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one setting, e.g. --set topic.partitions=3 (repeatable).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers (overrides bootstrap.servers).")
  String bootstrapServers;

  /** Defaults, the file, the environment, then {@code --set}. */
  LedgerConfig load() {
    return load(Map.of());
  }

  /** Defaults, the file, the environment, {@code --set}, then the given command overrides. */
  LedgerConfig load(final Map<String, String> commandOverrides) {
    return load(Map.of(), commandOverrides);
  }

  /**
   * Like {@link #load(Map)} for a whole stack in one process ({@code dev}, {@code demo}, {@code
   * bench}): {@link LedgerSettings#LOCAL_STACK} (one replica, HTTP on 127.0.0.1) replaces the
   * production defaults.
   */
  LedgerConfig loadSingleBroker(final Map<String, String> commandOverrides) {
    return load(LedgerSettings.LOCAL_STACK, commandOverrides);
  }

  private LedgerConfig load(
      final Map<String, String> modeDefaults, final Map<String, String> commandOverrides) {
    final Map<String, String> overrides = new LinkedHashMap<>(settings);
    if (bootstrapServers != null) {
      overrides.put(LedgerConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    overrides.putAll(commandOverrides);
    return LedgerSettings.warnUnknownKeys(
        LedgerConfig.load(modeDefaults, file, System.getenv(), overrides));
  }

  /** Rebuild and verify over the configured ledger. */
  LedgerTools tools() {
    final LedgerConfig settings = load();
    return new LedgerTools(settings, LedgerTopics.create(settings));
  }

  /** Whether {@code --bootstrap-servers} was given. */
  boolean hasBootstrapServers() {
    return bootstrapServers != null;
  }
}
