package dev.runledger.worker;

import dev.runledger.avro.RunCommand;
import dev.runledger.avro.WorkerHeartbeat;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.schemas.service.Service;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import dev.runledger.worker.claim.ShareGroupClaimer;
import dev.runledger.worker.claim.ShareGroupLag;
import dev.runledger.worker.control.RunControl;
import dev.runledger.worker.control.RunControlReader;
import dev.runledger.worker.execution.RunExecution;
import dev.runledger.worker.execution.RunLauncher;
import dev.runledger.worker.execution.WorkerContext;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.HostApiFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A runner worker (ARCHITECTURE.md §7): hosts the runners found by {@link RunnerCatalog} for its
 * pool, claims {@code StartRun} commands from the pool's share group ({@link ShareGroupClaimer}),
 * runs up to {@code worker.slots} of them at once and appends their records to the ledger.
 *
 * <p>Topics: reads {@code run-commands.<pool>} (key {@code run_id}, value {@code RunCommand}
 * StartRun) in the pool's share group, and all of {@code run-control} (key {@code run_id}, value
 * {@code RunCommand} CancelRun/SteerRun) without a group ({@link RunControlReader}). Writes {@code
 * run-ledger} (key {@code run_id}, value {@code LedgerRecord}), {@code runners} (key {@code
 * runner_id}, value {@code RunnerManifest}), {@code workers} (key {@code worker_id}, value {@code
 * WorkerHeartbeat}; a tombstone on clean close) and {@code dlq} (unusable commands, original bytes
 * plus error headers). Values are Avro single-object encoded, keys UTF-8.
 *
 * <p>On start it publishes every hosted runner's manifest and waits for the broker to acknowledge
 * them (the orchestrator rejects events for runners it has no manifest for), reads {@code
 * run-control} up to its end (so no run cancelled earlier is started), then starts heartbeats and
 * claiming. A {@code CancelRun} read later ends the run if it executes here.
 */
public final class RunnerWorker implements Service {
  private static final Logger LOG = LoggerFactory.getLogger(RunnerWorker.class);
  private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CONTROL_CATCH_UP = Duration.ofSeconds(60);

  private final LedgerConfig config;
  private final LedgerTopics topics;
  private final WorkerSettings settings;
  private final RunnerCatalog runners;
  private final Clock clock;
  private final HostApiFactory hostApis;
  private final RunControl control;
  private volatile State state;

  public RunnerWorker(final LedgerConfig config, final LedgerTopics topics) {
    this(
        config,
        topics,
        RunnerCatalog.discover(config, WorkerSettings.from(config).pool()),
        Clock.systemUTC());
  }

  /**
   * A worker hosting exactly {@code runners} (tests, embedding), with the host API found by {@link
   * HostApis#discover} when it starts (closed when it stops, if {@link AutoCloseable}).
   */
  public RunnerWorker(
      final LedgerConfig config,
      final LedgerTopics topics,
      final RunnerCatalog runners,
      final Clock clock) {
    this(config, topics, runners, clock, null);
  }

  /**
   * A worker hosting exactly {@code runners} whose runners' host-API calls go to {@code hostApis}
   * (owned by the caller; null discovers one as above).
   */
  public RunnerWorker(
      final LedgerConfig config,
      final LedgerTopics topics,
      final RunnerCatalog runners,
      final Clock clock,
      final HostApiFactory hostApis) {
    this.config = config;
    this.topics = topics;
    this.settings = WorkerSettings.from(config);
    this.runners = runners;
    this.clock = clock;
    this.hostApis = hostApis;
    this.control = new RunControl(settings.controlMaxRuns(), settings.controlMaxSteering());
    topics.runCommands(settings.pool()); // validates the pool name now
  }

  @Override
  public String name() {
    return "worker";
  }

  public String workerId() {
    return settings.workerId();
  }

  public WorkerSettings settings() {
    return settings;
  }

  /** The runner ids this worker hosts. */
  public List<String> hostedRunners() {
    return runners.ids();
  }

  /** Runs executing on this worker now. */
  public int activeRuns() {
    final State current = state;
    return current == null ? 0 : current.launcher.activeRuns();
  }

  /** What this worker read from run-control. */
  public RunControl control() {
    return control;
  }

  /**
   * Cancels a run if it is executing on this worker: it ends {@code run.failed{code=cancelled}} at
   * once and its runner is interrupted. (Normally a {@code CancelRun} on run-control does this.)
   *
   * @return true if the run was executing here
   */
  public boolean cancel(final String runId, final String reason) {
    final State current = state;
    if (current == null) {
      return false;
    }
    final Optional<RunExecution> execution = current.launcher.find(runId);
    execution.ifPresent(running -> running.cancel(reason));
    return execution.isPresent();
  }

  @Override
  public synchronized void start() {
    if (state != null) {
      throw new IllegalStateException("worker " + settings.workerId() + " was already started");
    }
    final State starting = new State();
    state = starting;
    try {
      starting.start();
    } catch (final RuntimeException e) {
      starting.close();
      throw e;
    }
    LOG.info(
        "worker {} started in pool {} hosting {}",
        settings.workerId(),
        settings.pool(),
        runners.ids());
  }

  @Override
  public boolean healthy() {
    final State current = state;
    return current != null
        && current.running
        && current.claimer.healthy()
        && current.controlReader.healthy();
  }

  @Override
  public synchronized void close() {
    final State current = state;
    if (current != null && current.running) {
      current.close();
      LOG.info("worker {} stopped", settings.workerId());
    }
  }

  /** Everything a started worker owns. */
  private final class State {
    private final Instant startedAt = clock.instant();
    private final WorkerPublisher publisher =
        WorkerPublisher.create(config.producerProperties(), settings.workerId(), topics);
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(threads("runledger-worker-timer"));
    private final ExecutorService runPool = Executors.newCachedThreadPool(threads("runledger-run"));
    private final RunLauncher launcher;
    private final ShareGroupClaimer claimer;
    private final RunControlReader controlReader;
    private final HostApiFactory hostApiFactory;
    private final ShareGroupLag shareGroupLag;
    private LedgerMeters.Registration gauges;
    private volatile boolean running;

    State() {
      final Topic<String, RunCommand> commands = topics.runCommands(settings.pool());
      this.hostApiFactory = hostApis != null ? hostApis : HostApis.discover(config, topics);
      final WorkerContext context =
          new WorkerContext(
              settings.workerId(),
              publisher,
              clock,
              timer,
              control,
              hostApiFactory,
              settings.inactivityTimeout(),
              settings.cancelGrace(),
              settings.deltaCoalesce());
      this.launcher =
          new RunLauncher(
              runners,
              context,
              commands.valueSerde().deserializer(),
              publisher,
              settings.pool(),
              runPool,
              settings.slots());
      this.claimer =
          new ShareGroupClaimer(settings, config.kafkaProperties(), commands.name(), launcher);
      this.shareGroupLag =
          new ShareGroupLag(config.kafkaProperties(), settings.groupId(), commands.name());
      this.controlReader =
          new RunControlReader(
              config.kafkaProperties(),
              settings.workerId(),
              topics.runControl().name(),
              topics.runControl().valueSerde().deserializer(),
              control);
      control.onCancel(
          (runId, cancel) ->
              launcher
                  .find(runId)
                  .ifPresent(execution -> execution.cancel(RunExecution.describe(cancel))));
      control.onSteering(
          (runId, item) -> launcher.find(runId).ifPresent(RunExecution::steeringAvailable));
    }

    void start() {
      publishManifests();
      controlReader.start(CONTROL_CATCH_UP);
      timer.scheduleWithFixedDelay(
          this::heartbeat, 0, settings.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
      claimer.start();
      gauges =
          LedgerMeters.workerGauges(
              settings.workerId(),
              settings.pool(),
              launcher::activeRuns,
              () -> Math.max(0, settings.slots() - launcher.activeRuns()));
      running = true;
    }

    void close() {
      running = false;
      if (gauges != null) {
        gauges.close();
      }
      shareGroupLag.close();
      claimer.close();
      LOG.debug("worker {}: claim consumers stopped", settings.workerId());
      controlReader.close();
      runPool.shutdownNow();
      await(runPool);
      timer.shutdownNow();
      await(timer);
      LOG.debug("worker {}: run threads stopped", settings.workerId());
      closeHostApis();
      publisher.workerGone(settings.workerId());
      publisher.close(CLOSE_TIMEOUT);
    }

    private void closeHostApis() {
      if (hostApis == null && hostApiFactory instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (final Exception e) {
          LOG.warn("worker {}: closing the host API failed", settings.workerId(), e);
        }
      }
    }

    private void publishManifests() {
      final List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (final AgentRunner runner : runners.all()) {
        sent.add(publisher.manifest(runner.manifest()));
      }
      publisher.flush();
      try {
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
            .get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (final ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "could not publish runner manifests to " + topics.runners().name() + ": " + e, e);
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing runner manifests", e);
      }
    }

    private void heartbeat() {
      shareGroupLag.refresh();
      final WorkerHeartbeat heartbeat =
          WorkerHeartbeat.newBuilder()
              .setWorkerId(settings.workerId())
              .setPool(settings.pool())
              .setRunnerIds(runners.ids())
              .setSlots(settings.slots())
              .setActiveRuns(launcher.activeRuns())
              .setStartedAt(startedAt)
              .setLastSeenAt(clock.instant())
              .setVersion(WorkerVersion.get())
              .build();
      publisher
          .heartbeat(heartbeat)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  LOG.warn(
                      "worker {}: heartbeat not written: {}",
                      settings.workerId(),
                      error.toString());
                }
              });
    }

    private void await(final ExecutorService executor) {
      try {
        if (!executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn(
              "worker {}: some threads did not stop within {}", settings.workerId(), CLOSE_TIMEOUT);
        }
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static ThreadFactory threads(final String prefix) {
    final AtomicInteger count = new AtomicInteger();
    return runnable -> {
      final Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
