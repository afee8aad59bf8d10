package dev.runledger.deploy.cli;

import dev.runledger.deploy.LedgerSettings;
import dev.runledger.schemas.config.LedgerConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --config FILE}, {@code --set KEY=VALUE} and {@code --bootstrap-servers}. */
public final class ConfigOptions {
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

  /** Defaults, the file, the environment, {@code --set}, then the given command overrides. */
  public LedgerConfig load(final Map<String, String> commandOverrides) {
    final Map<String, String> overrides = new LinkedHashMap<>(settings);
    if (bootstrapServers != null) {
      overrides.put(LedgerConfig.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    overrides.putAll(commandOverrides);
    return LedgerSettings.warnUnknownKeys(LedgerConfig.load(file, System.getenv(), overrides));
  }

  /** Whether {@code --bootstrap-servers} was given. */
  public boolean hasBootstrapServers() {
    return bootstrapServers != null;
  }
}
