package dev.runledger.worker.execution;

import dev.runledger.avro.RunCommand;
import dev.runledger.avro.StartRun;
import dev.runledger.schemas.topics.DeadLetterDecoder;
import dev.runledger.worker.RunnerCatalog;
import dev.runledger.worker.WorkerPublisher;
import dev.runledger.worker.claim.RunClaim;
import dev.runledger.worker.claim.RunStarter;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.Results;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a claimed command record into a running {@link RunExecution} on the bounded run pool.
 *
 * <p>A claim consumer {@linkplain #reserve reserves} a run thread for each command its next fetch
 * may bring before it asks the share group for work, so a worker never holds a command it has no
 * thread for. The reservation is given back when the runner has returned, or — for a runner that
 * ignores cancellation or keeps going after its run ended — {@code worker.cancel.grace.ms} after
 * the run ended: then its thread is interrupted again and abandoned (the run pool grows a thread
 * instead of queueing the next run behind it).
 *
 * <p>A {@code StartRun} for a run the orchestrator already ended on run-control (contract C1,
 * ARCHITECTURE.md §12) is settled without running and without writing anything; one for a run with
 * any other recorded cancel writes its claim and {@code run.failed{cancelled}} without running; one
 * whose cancel was asked but not recorded yet waits for it (until its deadline).
 */
public final class RunLauncher implements RunStarter {
  /** A command on the pool topic that is not a {@code StartRun}. */
  public static final String UNEXPECTED_COMMAND = "command.unexpected";

  private static final Logger LOG = LoggerFactory.getLogger(RunLauncher.class);

  private final RunnerCatalog runners;
  private final WorkerContext worker;
  private final Deserializer<RunCommand> commands;
  private final WorkerPublisher publisher;
  private final String pool;
  private final ExecutorService runPool;
  private final Semaphore threads;
  private final Map<String, RunExecution> active = new ConcurrentHashMap<>();

  public RunLauncher(
      final RunnerCatalog runners,
      final WorkerContext worker,
      final Deserializer<RunCommand> commands,
      final WorkerPublisher publisher,
      final String pool,
      final ExecutorService runPool,
      final int slots) {
    this.runners = runners;
    this.worker = worker;
    this.commands = commands;
    this.publisher = publisher;
    this.pool = pool;
    this.runPool = runPool;
    this.threads = new Semaphore(slots);
  }

  @Override
  public boolean reserve(final int count, final Duration wait) throws InterruptedException {
    return threads.tryAcquire(count, wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void unreserve(final int count) {
    if (count > 0) {
      threads.release(count);
    }
  }

  /** Runs executing now. */
  public int activeRuns() {
    return active.size();
  }

  /** The execution of a run on this worker, if it is running here. */
  public Optional<RunExecution> find(final String runId) {
    return Optional.ofNullable(active.get(runId));
  }

  /**
   * Starts the run a claimed record asks for, using one of the caller's reservations.
   *
   * @param deliveryLimit the share group's delivery count limit: the delivery that reaches it is
   *     not run but failed as {@code poison}
   * @return the execution, or empty when the record is not a usable {@code StartRun} (it went to
   *     the DLQ; the caller rejects it and still owns its reservation)
   */
  @Override
  public Optional<RunExecution> launch(
      final ConsumerRecord<byte[], byte[]> record, final int deliveryLimit) {
    final Optional<RunCommand> command = decode(record);
    if (command.isEmpty()) {
      return Optional.empty();
    }
    final RunClaim claim =
        new RunClaim(command.get().getRunId(), attempt(record), (StartRun) command.get().getKind());
    if (claim.attempt() < deliveryLimit && worker.control().endedByOrchestrator(claim.runId())) {
      LOG.info(
          "run {} was ended before it was claimed; accepting its command without running it",
          claim.runId());
      threads.release();
      return Optional.of(RunExecution.skipped(claim, worker));
    }
    if (claim.attempt() > 1) {
      LOG.info(
          "run {} claimed as attempt {}: earlier attempts ended without a settled terminal",
          claim.runId(),
          claim.attempt());
    }
    final RunExecution execution = execution(claim, deliveryLimit);
    final AtomicBoolean released = new AtomicBoolean();
    active.put(claim.runId(), execution);
    execution
        .whenEnded()
        .thenRun(
            () ->
                worker
                    .timer()
                    .schedule(
                        () -> abandonThread(execution, released),
                        worker.cancelGrace().toMillis(),
                        TimeUnit.MILLISECONDS));
    final Runnable release =
        () -> {
          active.remove(claim.runId(), execution);
          if (released.compareAndSet(false, true)) {
            threads.release();
          }
        };
    runPool.execute(
        () -> {
          CompletableFuture<Void> running;
          try {
            awaitRecordedCancel(claim);
            running = execution.start();
          } catch (final RuntimeException | Error e) {
            release.run();
            throw e;
          }
          // the slot is the run's until its runner is done, not until this thread returns
          running.whenComplete((ok, error) -> release.run());
        });
    return Optional.of(execution);
  }

  /** Holds a run whose cancel was asked but not recorded yet, until its deadline at most. */
  private void awaitRecordedCancel(final RunClaim claim) {
    try {
      worker
          .control()
          .awaitRecorded(
              claim.runId(),
              Duration.between(worker.clock().instant(), claim.start().getDeadlineAt()));
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Frees the slot of a run that ended a grace period ago but whose runner still has not returned.
   */
  private void abandonThread(final RunExecution execution, final AtomicBoolean released) {
    if (released.get() || !(execution.interruptRunner() || execution.runnerPending())) {
      return;
    }
    if (released.compareAndSet(false, true)) {
      LOG.warn(
          "run {} attempt {}: the runner did not return within {} ms after the run ended;"
              + " interrupted again and its thread abandoned",
          execution.runId(),
          execution.attempt(),
          worker.cancelGrace().toMillis());
      active.remove(execution.runId(), execution);
      threads.release();
    }
  }

  private RunExecution execution(final RunClaim claim, final int deliveryLimit) {
    if (claim.attempt() >= deliveryLimit) {
      final String error =
          "delivery "
              + claim.attempt()
              + " reached the share group's delivery limit ("
              + deliveryLimit
              + "); earlier attempts ended without a terminal record, so the run is failed"
              + " instead of run again";
      return RunExecution.failing(claim, Results.failed(FailureCodes.POISON, error, false), worker);
    }
    final Optional<AgentRunner> runner = runners.find(claim.runnerId());
    if (runner.isEmpty()) {
      final String error =
          "worker "
              + worker.workerId()
              + " in pool "
              + pool
              + " does not host runner "
              + claim.runnerId()
              + "; deploy it on every worker of the pool (hosted: "
              + runners.ids()
              + ")";
      return RunExecution.failing(
          claim, Results.failed(FailureCodes.RUNNER_UNKNOWN, error, false), worker);
    }
    return RunExecution.of(claim, runner.get(), worker);
  }

  private Optional<RunCommand> decode(final ConsumerRecord<byte[], byte[]> record) {
    final Optional<RunCommand> decoded =
        DeadLetterDecoder.of(record.topic(), commands)
            .whenEmpty("a run command record needs a value")
            .decode(record.value(), (code, message) -> deadLetter(record, code, message));
    if (decoded.isEmpty()) {
      return decoded;
    }
    final RunCommand command = decoded.get();
    if (!(command.getKind() instanceof StartRun)) {
      deadLetter(
          record,
          UNEXPECTED_COMMAND,
          "only StartRun commands belong on the pool's command topic; "
              + command.getKind().getClass().getSimpleName()
              + " goes to run-control");
      return Optional.empty();
    }
    return Optional.of(command);
  }

  private void deadLetter(
      final ConsumerRecord<byte[], byte[]> record, final String code, final String message) {
    LOG.warn(
        "unusable command at {}-{}@{}: {}: {}",
        record.topic(),
        record.partition(),
        record.offset(),
        code,
        message);
    publisher
        .deadLetter(record, code, message)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                LOG.error(
                    "could not write the dead letter for {}-{}@{}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    error);
              }
            });
  }

  private static int attempt(final ConsumerRecord<?, ?> record) {
    return record.deliveryCount().map(Short::intValue).orElse(1);
  }
}
