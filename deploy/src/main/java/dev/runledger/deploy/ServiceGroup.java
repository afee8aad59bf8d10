package dev.runledger.deploy;

import dev.runledger.schemas.service.Service;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services started one after the other and closed in reverse order: the one place that knows how to
 * bring up a process of several parts and take it down again. If a start fails, everything started
 * before it is closed and the failure is thrown.
 */
public final class ServiceGroup implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceGroup.class);

  private final String name;
  private final List<Service> started = new ArrayList<>();

  public ServiceGroup(final String name) {
    this.name = name;
  }

  /** Starts {@code service} and keeps it to close later; on failure closes it and the others. */
  public synchronized <S extends Service> S start(final S service) {
    final long begin = System.nanoTime();
    try {
      service.start();
    } catch (final RuntimeException e) {
      closeQuietlyAfterFailure(service, e);
      close();
      throw new IllegalStateException("cannot start " + service.name() + ": " + e.getMessage(), e);
    }
    started.add(service);
    LOG.info("{} started in {} ms", service.name(), (System.nanoTime() - begin) / 1_000_000);
    return service;
  }

  /** The started services, in start order. */
  public synchronized List<Service> services() {
    return List.copyOf(started);
  }

  @Override
  public String name() {
    return name;
  }

  /** Starting happens service by service through {@link #start(Service)}. */
  @Override
  public void start() {
    // nothing left to start: each service was started when it was added
  }

  @Override
  public synchronized boolean healthy() {
    return started.stream().allMatch(Service::healthy);
  }

  /** Closes every started service in reverse order; a failing close does not stop the others. */
  @Override
  public synchronized void close() {
    RuntimeException first = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      final Service service = started.get(i);
      try {
        service.close();
      } catch (final RuntimeException e) {
        LOG.error("closing {} failed", service.name(), e);
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    started.clear();
    if (first != null) {
      throw first;
    }
  }

  private static void closeQuietlyAfterFailure(
      final Service service, final RuntimeException cause) {
    try {
      service.close();
    } catch (final RuntimeException e) {
      cause.addSuppressed(e);
    }
  }
}
