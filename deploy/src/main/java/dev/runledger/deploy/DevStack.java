package dev.runledger.deploy;

import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.http.HttpServerSettings;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.gateway.GatewayService;
import dev.runledger.orchestrator.OrchestratorService;
import dev.runledger.projections.ProjectionService;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.service.Service;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.RunnerWorker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system in one process, as {@code ledger dev}, {@code ledger demo} and the end-to-end
 * tests run it: one HTTP server serving every module's routes first, then optionally an embedded
 * broker, the topics, and a runner worker, the orchestrator, the projections and the gateway,
 * started together (none waits on another, and each spends its start waiting on the broker), all
 * held by one {@link ServiceGroup}. So {@code /healthz} answers from the start (503 naming what is
 * still starting, the broker included), and a module's routes answer 503 until it runs; closed with
 * the HTTP server first, then the rest in reverse (the four together).
 */
public final class DevStack implements AutoCloseable {
  /** The built-in runner every worker offers. */
  public static final String ECHO_RUNNER = "builtin:echo/default";

  /**
   * Whether the stack runs a runner worker of its own (default true; false when workers run in
   * other processes, e.g. {@code ledger worker}).
   */
  public static final String WORKER_ENABLED = "dev.worker.enabled";

  static final Setting<Boolean> WORKER_ENABLED_SETTING =
      Setting.boolSetting(
          WORKER_ENABLED, true, "whether the stack runs a runner worker of its own");

  /** The stack's own settings. */
  static final List<Setting<?>> SETTINGS = List.of(WORKER_ENABLED_SETTING);

  private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);

  private final ServiceGroup group;
  private final LedgerConfig config;
  private final LedgerTopics topics;
  private final Metrics metrics;
  private final EmbeddedKafka kafka;
  private final OrchestratorService orchestrator;
  private final ProjectionService projections;
  private final GatewayService gateway;
  private final RunnerWorker worker;
  private final HttpServer http;

  private DevStack(final Parts parts) {
    this.group = parts.group;
    this.config = parts.config;
    this.topics = parts.topics;
    this.metrics = parts.metrics;
    this.kafka = parts.kafka;
    this.worker = parts.worker;
    this.orchestrator = parts.orchestrator;
    this.projections = parts.projections;
    this.gateway = parts.gateway;
    this.http = parts.http;
  }

  /** Starts every service against the cluster named by {@code bootstrap.servers}. */
  public static DevStack start(final LedgerConfig config) {
    return start(config, null);
  }

  /**
   * Starts {@code kafka} (not yet started; the stack owns it and stops it last), then every service
   * against it. With a null {@code kafka} this is {@link #start(LedgerConfig)}.
   */
  public static DevStack start(final LedgerConfig config, final EmbeddedKafka kafka) {
    final Parts parts = new Parts(new ServiceGroup("runledger"));
    try {
      parts.metrics = parts.start(new Metrics());
      LedgerConfig effective = config;
      if (kafka != null) {
        // Its address is known before it starts, so everything else is made first and HTTP
        // answers while the broker starts too.
        parts.kafka = kafka.prepare();
        effective = config.with(Map.of(LedgerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers()));
      }
      effective = withOwnServer(effective);
      parts.config = effective;
      parts.topics = LedgerTopics.create(effective.topicSettings(), LedgerSerdes.singleObject());
      final BrokerService broker = kafka == null ? null : new BrokerService(kafka);
      if (effective.get(WORKER_ENABLED_SETTING)) {
        parts.worker = parts.made(new RunnerWorker(effective, parts.topics));
      }
      parts.orchestrator = parts.made(new OrchestratorService(effective, parts.topics));
      parts.projections = parts.made(new ProjectionService(effective, parts.topics));
      parts.gateway = parts.made(new GatewayService(effective, parts.topics));
      final List<Service> expected = new ArrayList<>();
      if (broker != null) {
        expected.add(broker);
      }
      expected.addAll(parts.made);
      parts.http =
          parts.start(
              new HttpServer(
                  effective,
                  parts.group::services,
                  expected,
                  List.of(
                      new HttpServer.Mount(parts.gateway, parts.gateway.routes()::register),
                      new HttpServer.Mount(
                          parts.projections, parts.projections.routes()::register)),
                  parts.metrics.registry()));
      parts.metrics.watch(parts.http);
      if (broker != null) {
        parts.start(broker);
      }
      TopicAdmin.createAll(effective, parts.topics);
      // The Streams apps share this directory and, started together, would race to create it.
      Directories.create(Path.of(effective.get(CoreSettings.STATE_DIR)));
      parts.startMade();
      return new DevStack(parts);
    } catch (final RuntimeException e) {
      parts.closeAfterFailure(e);
      throw e;
    }
  }

  /**
   * The configuration every part is constructed with: {@code http.port} fixed (a free port when it
   * is 0), unless one is set the views URL pointing at this process's own server, so the gateway's
   * cancel endpoints and the worker's host API ask this process's views, and unless one is set a
   * random {@code auth.internal.token}, the same for every part (two stacks sharing a cluster must
   * be given one to forward requests to each other).
   */
  private static LedgerConfig withOwnServer(final LedgerConfig config) {
    final Map<String, String> fixed = new HashMap<>();
    int port = config.get(CoreSettings.HTTP_PORT);
    if (port == 0) {
      port = freePort(config.get(HttpServerSettings.HOST));
      fixed.put(LedgerConfig.HTTP_PORT, Integer.toString(port));
    }
    if (Stream.concat(
            Stream.of(CoreSettings.VIEWS_URL.key()), CoreSettings.VIEWS_URL.aliases().stream())
        .noneMatch(config.asMap()::containsKey)) {
      fixed.put(LedgerConfig.VIEWS_URL, "http://127.0.0.1:" + port);
    }
    if (config.find(CoreSettings.AUTH_INTERNAL_TOKEN).filter(t -> !t.isBlank()).isEmpty()) {
      fixed.put(CoreSettings.AUTH_INTERNAL_TOKEN.key(), TokenFile.newToken());
    }
    return config.with(fixed);
  }

  private static int freePort(final String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (final IOException e) {
      throw new UncheckedIOException("no free port on " + host, e);
    }
  }

  /** Waits until the orchestrator knows the runner's manifest (a binding to it can be used). */
  public void awaitRunner(final String runnerId, final Duration timeout) {
    await(
        () -> orchestrator.knowsRunner(runnerId),
        timeout,
        "the orchestrator did not learn runner "
            + runnerId
            + " within "
            + timeout.toSeconds()
            + " s; is a worker offering it running?");
  }

  /**
   * Waits until the orchestrator has read the binding {@code bindingId} of workspace {@code
   * workspaceId}, so events are resolved against it.
   */
  public void awaitBinding(
      final String workspaceId, final String bindingId, final Duration timeout) {
    await(
        () -> orchestrator.knowsBinding(workspaceId, bindingId),
        timeout,
        "the orchestrator did not read binding "
            + bindingId
            + " of workspace "
            + workspaceId
            + " within "
            + timeout.toSeconds()
            + " s");
  }

  private static void await(
      final BooleanSupplier condition, final Duration timeout, final String failure) {
    final Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(failure);
      }
      try {
        Thread.sleep(50);
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted: " + failure, e);
      }
    }
  }

  public LedgerConfig config() {
    return config;
  }

  public LedgerTopics topics() {
    return topics;
  }

  public String bootstrapServers() {
    return config.get(LedgerConfig.BOOTSTRAP_SERVERS);
  }

  /** The HTTP base URL, e.g. {@code http://localhost:8080}. */
  public String baseUrl() {
    final String host = config.get(HttpServerSettings.HOST);
    return "http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + http.port();
  }

  /** The embedded broker, or null when the stack uses an external cluster. */
  public EmbeddedKafka kafka() {
    return kafka;
  }

  public GatewayService gateway() {
    return gateway;
  }

  public OrchestratorService orchestrator() {
    return orchestrator;
  }

  public ProjectionService projections() {
    return projections;
  }

  /** The stack's own worker, or null when {@link #WORKER_ENABLED} is false. */
  public RunnerWorker worker() {
    return worker;
  }

  public HttpServer http() {
    return http;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** True while every part is healthy. */
  public boolean healthy() {
    return group.healthy();
  }

  /** Stops answering HTTP first, so no request reaches a service that is closing, then the rest. */
  @Override
  public void close() {
    LOG.info("stopping runledger");
    try {
      http.close();
    } finally {
      group.close();
    }
  }

  /** Parts under construction; a failed start closes whatever was made or started. */
  private static final class Parts {
    private final ServiceGroup group;

    /** The services made before the HTTP server starts and started after it, in order. */
    private final List<Service> made = new ArrayList<>();

    private boolean startedMade;

    private LedgerConfig config;
    private LedgerTopics topics;
    private Metrics metrics;
    private EmbeddedKafka kafka;
    private RunnerWorker worker;
    private OrchestratorService orchestrator;
    private ProjectionService projections;
    private GatewayService gateway;
    private HttpServer http;

    Parts(final ServiceGroup group) {
      this.group = group;
    }

    <S extends Service> S made(final S service) {
      made.add(service);
      return service;
    }

    <S extends Service> S start(final S service) {
      return group.start(service);
    }

    /** Starts every made service together, each watched by the metrics once it has started. */
    void startMade() {
      startedMade = true;
      group.startTogether(made, metrics::watch);
    }

    /**
     * Closes the started services (in reverse) and, when the made ones were never started, those
     * too (a failed start together closes its own).
     */
    void closeAfterFailure(final RuntimeException failure) {
      group.close();
      if (startedMade) {
        return;
      }
      for (final Service service : made) {
        try {
          service.close();
        } catch (final RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
    }
  }

  /** The embedded broker as a part of the group, so it stops after everything that uses it. */
  private record BrokerService(EmbeddedKafka kafka) implements Service {
    @Override
    public String name() {
      return "kafka";
    }

    @Override
    public void start() {
      kafka.start();
    }

    @Override
    public boolean healthy() {
      return kafka.isRunning();
    }

    @Override
    public void close() {
      kafka.close();
    }
  }
}
