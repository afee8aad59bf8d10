package dev.runledger.deploy.cli;

import dev.runledger.deploy.Metrics;
import dev.runledger.deploy.ServiceGroup;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.gateway.GatewayService;
import dev.runledger.orchestrator.OrchestratorService;
import dev.runledger.projections.ProjectionService;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.service.Service;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.RunnerWorker;
import io.javalin.Javalin;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger gateway|orchestrator|worker|projections}: one service per process, as deployed
 * (ARCHITECTURE.md §1.1), each with an HTTP server for its routes, {@code /healthz} and {@code
 * /metrics}.
 */
@Command(mixinStandardHelpOptions = true)
final class ServiceCommand implements Callable<Integer> {
  /** A service a process runs alone: its command, its description and how to make it. */
  enum Kind {
    GATEWAY(
        "gateway",
        "Run the event gateway (POST /v1/events, the bindings) alone.",
        (config, topics) -> routed(new GatewayService(config, topics), s -> s.routes()::register)),
    ORCHESTRATOR(
        "orchestrator",
        "Run the orchestrator (Kafka Streams) alone.",
        (config, topics) -> new Part(new OrchestratorService(config, topics), List.of())),
    WORKER(
        "worker",
        "Run one runner worker; start several with the same configuration to share the runs.",
        (config, topics) -> new Part(new RunnerWorker(config, topics), List.of())),
    PROJECTIONS(
        "projections",
        "Run the projections (Kafka Streams views and the read API) alone.",
        (config, topics) ->
            routed(new ProjectionService(config, topics), s -> s.routes()::register));

    private final String command;
    private final String description;

    // each constant's factory is a stateless lambda, so the enum stays immutable
    @SuppressWarnings("ImmutableEnumChecker")
    private final BiFunction<LedgerConfig, LedgerTopics, Part> create;

    Kind(
        final String command,
        final String description,
        final BiFunction<LedgerConfig, LedgerTopics, Part> create) {
      this.command = command;
      this.description = description;
      this.create = create;
    }
  }

  /** A service and the HTTP routes it serves. */
  private record Part(Service service, List<Consumer<Javalin>> routes) {}

  private static <S extends Service> Part routed(
      final S service, final Function<S, Consumer<Javalin>> routes) {
    return new Part(service, List.of(routes.apply(service)));
  }

  @Mixin ConfigOptions config;

  @Option(names = "--port", description = "HTTP port (default: http.port, 8080; 0 for a free one).")
  Integer port;

  @Spec CommandSpec spec;

  private final Kind kind;

  private ServiceCommand(final Kind kind) {
    this.kind = kind;
  }

  /** The {@code ledger} subcommands of every kind, by command name. */
  static void addTo(final CommandLine ledger) {
    for (final Kind kind : Kind.values()) {
      final CommandLine command = new CommandLine(new ServiceCommand(kind));
      command.getCommandSpec().usageMessage().description(kind.description);
      ledger.addSubcommand(kind.command, command);
    }
  }

  @Override
  public Integer call() {
    final LedgerConfig settings =
        config.load(port == null ? Map.of() : Map.of(LedgerConfig.HTTP_PORT, port.toString()));
    final LedgerTopics topics = LedgerTopics.create(settings);
    final ServiceGroup group = new ServiceGroup(kind.command);
    try {
      final Metrics metrics = group.start(new Metrics());
      final Part part = kind.create.apply(settings, topics);
      final Service service = part.service();
      // HTTP first, so /healthz answers (503, the service "starting") while the service starts
      // and its routes answer 503 until it runs, instead of refusing connections.
      final HttpServer http =
          group.start(
              new HttpServer(
                  settings,
                  group::services,
                  List.of(service),
                  part.routes().stream().map(r -> new HttpServer.Mount(service, r)).toList(),
                  metrics.registry()));
      metrics.watch(http);
      metrics.watch(group.start(service));
      final PrintWriter out = spec.commandLine().getOut();
      out.println(
          service.name()
              + " is running; HTTP on port "
              + http.port()
              + ", Kafka "
              + settings.get(LedgerConfig.BOOTSTRAP_SERVERS));
      out.println(http.authentication());
      out.flush();
    } catch (final RuntimeException e) {
      group.close();
      throw e;
    }
    UntilStopped.await(group);
    return 0;
  }
}
