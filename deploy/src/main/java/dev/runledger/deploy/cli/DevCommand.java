package dev.runledger.deploy.cli;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
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
    final LedgerConfig settings =
        config.loadSingleBroker(
            Map.of(
                LedgerConfig.HTTP_PORT, Integer.toString(port),
                LedgerConfig.STATE_DIR, data.resolve("state").toString()));
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
}
