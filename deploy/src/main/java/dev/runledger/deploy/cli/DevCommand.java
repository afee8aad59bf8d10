package dev.runledger.deploy.cli;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.Directories;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ledger dev}: every service in one process, on an embedded broker unless one is given. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Start an embedded Kafka broker and every service (worker, orchestrator, projections,"
          + " gateway) in one process, with the HTTP API on one port. Runs until Ctrl-C.",
      "With --bootstrap-servers the services use that cluster instead of an embedded broker."
    })
final class DevCommand implements Callable<Integer> {
  /** The file in the data directory that keeps the stack's {@link CoreSettings#INSTANCE_ID}. */
  static final String INSTANCE_ID_FILE = "instance-id";

  @Mixin ConfigOptions config;

  @Option(
      names = "--port",
      description = "HTTP port (default ${DEFAULT-VALUE}).",
      defaultValue = "8080")
  int port;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where the broker's data and the stream state live (default ${DEFAULT-VALUE}).",
      defaultValue = ".runledger/")
  Path dataDir;

  @Option(
      names = "--kafka-port",
      description = "Port of the embedded broker (default: a free port, reused on restart).",
      defaultValue = "0")
  int kafkaPort;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    final Path data = dataDir.toAbsolutePath().normalize();
    final LedgerConfig loaded =
        config.loadSingleBroker(
            Map.of(
                LedgerConfig.HTTP_PORT, Integer.toString(port),
                LedgerConfig.STATE_DIR, data.resolve("state").toString()));
    final LedgerConfig settings =
        loaded.find(CoreSettings.INSTANCE_ID).filter(id -> !id.isBlank()).isPresent()
            ? loaded
            : loaded.with(Map.of(CoreSettings.INSTANCE_ID.key(), instanceId(data)));
    final EmbeddedKafka kafka =
        config.hasBootstrapServers() ? null : EmbeddedKafka.inDir(data.resolve("kafka"), kafkaPort);
    final DevStack stack = DevStack.start(settings, kafka);
    final PrintWriter out = spec.commandLine().getOut();
    out.println("runledger is running");
    out.println(
        "  HTTP API:          "
            + stack.baseUrl()
            + "   (health: "
            + stack.baseUrl()
            + HttpServer.HEALTH_PATH
            + ")");
    out.println("  Web console:       " + stack.baseUrl() + ApiPaths.CONSOLE);
    out.println("  Kafka bootstrap:   " + stack.bootstrapServers());
    out.println("  data directory:    " + data);
    out.println("  " + stack.http().authentication());
    out.println("Press Ctrl-C to stop.");
    out.flush();
    UntilStopped.await(stack);
    return 0;
  }

  /**
   * The {@link CoreSettings#INSTANCE_ID} kept in {@code data}: made up on the first start, read on
   * every later one, so a stack killed and started again on the same directory is the same static
   * member of its Streams groups and runs again without waiting out the old member's session.
   */
  static String instanceId(final Path data) {
    final Path file = data.resolve(INSTANCE_ID_FILE);
    try {
      if (Files.exists(file)) {
        final String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!kept.isEmpty()) {
          return kept;
        }
      }
      Directories.create(data);
      final String made = "dev-" + UUID.randomUUID().toString().substring(0, 8);
      Files.writeString(file, made + "\n", StandardCharsets.UTF_8);
      return made;
    } catch (final IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }
}
