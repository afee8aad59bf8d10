package dev.runledger.gateway;

import dev.runledger.gateway.client.EventPublisher;
import dev.runledger.gateway.client.HostEventClient;
import dev.runledger.gateway.registry.RegistryCache;
import dev.runledger.gateway.registry.RegistryRoutes;
import dev.runledger.gateway.registry.WorkerRegistry;
import dev.runledger.gateway.views.HttpRunViews;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.service.Service;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Clock;

/**
 * The event gateway: validates host events and bindings received over HTTP and produces them with
 * one {@link HostEventClient}; serves bindings from a {@link BindingCache} of the bindings topic,
 * and runners and workers from a {@link RegistryCache} of the runners and workers topics. {@link
 * #routes()} are registered on the HTTP server by the deploy module.
 */
public final class GatewayService implements Service {
  private final GatewaySettings settings;
  private final HostEventClient client;
  private final BindingCache cache;
  private final RegistryCache registry;
  private final GatewayRoutes routes;
  private final HttpRunViews views;
  private volatile boolean started;
  private volatile boolean closed;

  public GatewayService(final LedgerConfig config, final LedgerTopics topics) {
    this.settings = GatewaySettings.from(config);
    this.client = new HostEventClient(config, topics);
    BindingCache created = null;
    RegistryCache registryCache = null;
    try {
      created = new BindingCache(config, topics);
      registryCache = new RegistryCache(config, topics);
    } finally {
      if (registryCache == null) {
        if (created != null) {
          created.close();
        }
        client.close();
      }
    }
    this.cache = created;
    this.registry = registryCache;
    this.views =
        new HttpRunViews(
            GatewaySettings.viewsUrl(config),
            config.find(CoreSettings.AUTH_INTERNAL_TOKEN).orElse(null));
    this.routes =
        new GatewayRoutes(
            settings,
            new EventValidator(settings, Clock.systemUTC()),
            new BindingValidator(settings, Clock.systemUTC()),
            client,
            cache.table(),
            new CancelRoutes(settings, views, client::cancelRun),
            new RegistryRoutes(registry.registry(), Clock.systemUTC()));
  }

  /** The routes of a gateway that produces with {@code publisher} and serves {@code bindings}. */
  static GatewayRoutes routes(
      final GatewaySettings settings,
      final EventPublisher publisher,
      final BindingTable bindings,
      final Clock clock) {
    return new GatewayRoutes(
        settings,
        new EventValidator(settings, clock),
        new BindingValidator(settings, clock),
        publisher,
        bindings,
        null,
        null);
  }

  @Override
  public String name() {
    return "gateway";
  }

  @Override
  public void start() {
    cache.start();
    registry.start();
    try {
      if (!cache.awaitCaughtUp(settings.bindingsStartTimeout())) {
        throw new IllegalStateException(
            "the bindings cache did not catch up with the bindings topic within "
                + settings.bindingsStartTimeout().toMillis()
                + " ms ("
                + GatewaySettings.BINDINGS_START_TIMEOUT_MS
                + "); is Kafka reachable and the topic created?");
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the gateway", e);
    }
    started = true;
  }

  @Override
  public boolean healthy() {
    return started && !closed && cache.healthy();
  }

  /** The HTTP routes, for the server to register. */
  public GatewayRoutes routes() {
    return routes;
  }

  /** The client the gateway produces with; other parts of the same process may share it. */
  public HostEventClient client() {
    return client;
  }

  /** The runners and workers as the gateway currently knows them. */
  public WorkerRegistry registry() {
    return registry.registry();
  }

  /** The bindings as the gateway currently knows them. */
  public BindingTable bindings() {
    return cache.table();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      registry.close();
      cache.close();
    } finally {
      client.close();
    }
  }
}
