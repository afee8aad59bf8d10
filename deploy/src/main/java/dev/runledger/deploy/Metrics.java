package dev.runledger.deploy;

import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.schemas.service.Service;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The process's Prometheus registry ({@code GET /metrics}): JVM and process metrics, HTTP request
 * timings (added by the HTTP server), {@code runledger_service_up{service}} per service, and what
 * the modules count in Micrometer's global registry (e.g. the worker's {@code
 * runledger_worker_host_api_denied_total{reason}}), to which it is added while it runs.
 */
public final class Metrics implements Service {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private JvmGcMetrics gc;

  @Override
  public String name() {
    return "metrics";
  }

  @Override
  public synchronized void start() {
    if (gc != null) {
      return;
    }
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    io.micrometer.core.instrument.Metrics.addRegistry(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Adds {@code runledger_service_up{service="<name>"}}: 1 while the service is healthy. */
  public void watch(final Service service) {
    Gauge.builder(LedgerMeters.SERVICE_UP, service, s -> s.healthy() ? 1 : 0)
        .description("1 while the service is healthy, else 0")
        .tag("service", service.name())
        .register(registry);
  }

  @Override
  public boolean healthy() {
    return !registry.isClosed();
  }

  @Override
  public synchronized void close() {
    io.micrometer.core.instrument.Metrics.removeRegistry(registry);
    if (gc != null) {
      gc.close();
      gc = null;
    }
    registry.close();
  }
}
