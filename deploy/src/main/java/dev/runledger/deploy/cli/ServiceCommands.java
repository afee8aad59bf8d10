package dev.runledger.deploy.cli;

import dev.runledger.deploy.Metrics;
import dev.runledger.deploy.ServiceGroup;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.gateway.GatewayService;
import dev.runledger.orchestrator.OrchestratorService;
import dev.runledger.projections.ProjectionService;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.service.Service;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.RunnerWorker;
import io.javalin.Javalin;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ledger gateway|orchestrator|worker|projections}: one service per process, as deployed
 * (SPEC §3), each with an HTTP server for its routes, {@code /healthz} and {@code /metrics}.
 */
public final class ServiceCommands {
  private ServiceCommands() {}

  /** Starts one service and its HTTP server, and runs until stopped. */
  abstract static class OneService implements Callable<Integer> {
    @Mixin ConfigOptions config;

    @Option(
        names = "--port",
        description = "HTTP port (default: http.port, 8080; 0 for a free one).")
    Integer port;

    @Spec CommandSpec spec;

    abstract Service create(LedgerConfig config, LedgerTopics topics);

    List<Consumer<Javalin>> routes(final Service service) {
      return List.of();
    }

    @Override
    public Integer call() {
      final Map<String, String> overrides = new HashMap<>();
      if (port != null) {
        overrides.put(LedgerConfig.HTTP_PORT, Integer.toString(port));
      }
      final LedgerConfig settings = config.load(overrides);
      final LedgerTopics topics =
          LedgerTopics.create(settings.topicSettings(), LedgerSerdes.singleObject());
      final ServiceGroup group = new ServiceGroup(spec.name());
      try {
        final Metrics metrics = group.start(new Metrics());
        final Service service = group.start(create(settings, topics));
        metrics.watch(service);
        final HttpServer http =
            group.start(
                new HttpServer(settings, group::services, routes(service), metrics.registry()));
        final PrintWriter out = spec.commandLine().getOut();
        out.println(
            service.name()
                + " is running; HTTP on port "
                + http.port()
                + ", Kafka "
                + settings.get(LedgerConfig.BOOTSTRAP_SERVERS));
        out.flush();
      } catch (final RuntimeException e) {
        group.close();
        throw e;
      }
      UntilStopped.await(group);
      return 0;
    }
  }

  /** {@code ledger gateway}. */
  @Command(
      name = "gateway",
      mixinStandardHelpOptions = true,
      description = "Run the event gateway (POST /v1/events, /v1/bindings) alone.")
  public static final class Gateway extends OneService {
    @Override
    Service create(final LedgerConfig config, final LedgerTopics topics) {
      return new GatewayService(config, topics);
    }

    @Override
    List<Consumer<Javalin>> routes(final Service service) {
      return List.of(((GatewayService) service).routes()::register);
    }
  }

  /** {@code ledger orchestrator}. */
  @Command(
      name = "orchestrator",
      mixinStandardHelpOptions = true,
      description = "Run the orchestrator (Kafka Streams) alone.")
  public static final class Orchestrator extends OneService {
    @Override
    Service create(final LedgerConfig config, final LedgerTopics topics) {
      return new OrchestratorService(config, topics);
    }
  }

  /** {@code ledger worker}. */
  @Command(
      name = "worker",
      mixinStandardHelpOptions = true,
      description =
          "Run one runner worker; start several with the same configuration to share the runs.")
  public static final class Worker extends OneService {
    @Override
    Service create(final LedgerConfig config, final LedgerTopics topics) {
      return new RunnerWorker(config, topics);
    }
  }

  /** {@code ledger projections}. */
  @Command(
      name = "projections",
      mixinStandardHelpOptions = true,
      description = "Run the projections (Kafka Streams views and GET /v1/runs...) alone.")
  public static final class Projections extends OneService {
    @Override
    Service create(final LedgerConfig config, final LedgerTopics topics) {
      return new ProjectionService(config, topics);
    }

    @Override
    List<Consumer<Javalin>> routes(final Service service) {
      return List.of(((ProjectionService) service).routes()::register);
    }
  }
}
