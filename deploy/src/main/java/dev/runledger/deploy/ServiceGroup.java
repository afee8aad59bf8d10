package dev.runledger.deploy;

import dev.runledger.schemas.service.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services started one after the other (or, for parts that do not wait on each other, together) and
 * closed in reverse order (the ones started together, closed together): the one place that knows
 * how to bring up a process of several parts and take it down again. If a start fails, everything
 * started before it is closed and the failure is thrown.
 */
public final class ServiceGroup implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceGroup.class);

  /**
   * How long {@link #close()} waits for the services in all: within Kubernetes' default grace
   * period (30 s) and systemd's stop timeout (90 s), with room for the JVM's own exit.
   */
  public static final Duration STOP_GRACE = Duration.ofSeconds(15);

  /**
   * How long each later batch still gets once {@link #STOP_GRACE} has passed, so what is closed
   * last (the embedded broker, asked to stop) still hears of it.
   */
  private static final Duration BATCH_FLOOR = Duration.ofSeconds(5);

  private final String name;

  /** What was started, one batch per start call: a single service, or the ones started together. */
  private final List<List<Service>> started = new ArrayList<>();

  /**
   * Every service that has finished starting, in the order each did: read without the group's lock,
   * so an HTTP server's {@code /healthz} can list them while the others are still starting.
   */
  private final AtomicReference<List<Service>> running = new AtomicReference<>(List.of());

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
    started.add(List.of(service));
    markRunning(service);
    LOG.info("{} started in {} ms", service.name(), (System.nanoTime() - begin) / 1_000_000);
    return service;
  }

  /**
   * Starts {@code services} at the same time, each on a thread of its own, and returns once every
   * one has started: a stack's Kafka Streams apps and worker each spend most of their start waiting
   * on the broker (topic creation, group joins, catching up), so together they are ready in about
   * the time of the slowest instead of the sum. Each counts as running (and {@code onStarted} is
   * told of it, on its start thread) as soon as it has started. They are closed together too. If
   * one fails, the others' starts are still awaited, then everything is closed and the first
   * failure is thrown.
   */
  public <S extends Service> List<S> startTogether(
      final List<S> services, final Consumer<? super S> onStarted) {
    final long begin = System.nanoTime();
    final List<CompletableFuture<Void>> starts =
        services.stream()
            .map(
                service ->
                    onOwnThread(
                        "start-",
                        service,
                        () -> {
                          service.start();
                          markRunning(service);
                          onStarted.accept(service);
                        }))
            .toList();
    RuntimeException failure = null;
    final List<Service> up = new ArrayList<>();
    for (int i = 0; i < services.size(); i++) {
      final S service = services.get(i);
      try {
        starts.get(i).join();
        up.add(service);
      } catch (final CompletionException e) {
        final RuntimeException cause = unwrap(e);
        closeQuietlyAfterFailure(service, cause);
        if (failure == null) {
          failure =
              new IllegalStateException(
                  "cannot start " + service.name() + ": " + cause.getMessage(), cause);
        } else {
          failure.addSuppressed(cause);
        }
      }
    }
    synchronized (this) {
      started.add(List.copyOf(up));
      // while they started, in the order each did; from now on, in start order
      running.set(started.stream().flatMap(List::stream).toList());
    }
    if (failure != null) {
      close();
      throw failure;
    }
    LOG.info(
        "{} started together in {} ms",
        services.stream().map(Service::name).toList(),
        (System.nanoTime() - begin) / 1_000_000);
    return List.copyOf(services);
  }

  /**
   * The started services, in start order (while some start together, those in the order each
   * finished); answers at once, also while a start is under way.
   */
  public List<Service> services() {
    return running.get();
  }

  private void markRunning(final Service service) {
    running.updateAndGet(before -> Stream.concat(before.stream(), Stream.of(service)).toList());
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
    return services().stream().allMatch(Service::healthy);
  }

  /**
   * Closes every started service in reverse order, the ones started together at the same time,
   * within {@link #STOP_GRACE} in all; a failing close does not stop the others.
   */
  @Override
  public void close() {
    close(STOP_GRACE);
  }

  /**
   * Closes every started service in reverse order, the ones started together at the same time, each
   * on a thread of its own; a failing close does not stop the others. A close still running when
   * {@code grace} has passed since the first began (or, for a later batch, {@link #BATCH_FLOOR}
   * after that batch began) is left to finish on its own (its thread is a daemon) and the next
   * batch is closed: with the broker gone (a service manager signals a whole process group at once,
   * the embedded broker included) a client's close can wait for it far longer than a service
   * manager waits for the process to exit.
   */
  public synchronized void close(final Duration grace) {
    final long deadline = System.nanoTime() + grace.toNanos();
    final long floor = Math.min(BATCH_FLOOR.toNanos(), grace.toNanos());
    RuntimeException first = null;
    for (int i = started.size() - 1; i >= 0; i--) {
      final List<Service> batch = started.get(i);
      final List<CompletableFuture<Void>> closes =
          batch.stream().map(service -> onOwnThread("close-", service, service::close)).toList();
      for (int j = 0; j < batch.size(); j++) {
        final long left = Math.max(floor, deadline - System.nanoTime());
        try {
          closes.get(j).get(left, TimeUnit.NANOSECONDS);
        } catch (final TimeoutException e) {
          LOG.warn(
              "{} did not stop within {} s; going on without waiting for it",
              batch.get(j).name(),
              grace.toSeconds());
        } catch (final ExecutionException e) {
          final RuntimeException cause = unwrap(e);
          LOG.error("closing {} failed", batch.get(j).name(), cause);
          if (first == null) {
            first = cause;
          } else {
            first.addSuppressed(cause);
          }
        } catch (final InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    started.clear();
    running.set(List.of());
    if (first != null) {
      throw first;
    }
  }

  private static CompletableFuture<Void> onOwnThread(
      final String prefix, final Service service, final Runnable task) {
    return CompletableFuture.runAsync(
        task,
        runnable -> {
          final Thread thread = new Thread(runnable, prefix + service.name());
          thread.setDaemon(true);
          thread.start();
        });
  }

  /** What a future's {@code join} or {@code get} wrapped. */
  private static RuntimeException unwrap(final Exception e) {
    return e.getCause() instanceof RuntimeException runtime
        ? runtime
        : new IllegalStateException(e.getCause());
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
