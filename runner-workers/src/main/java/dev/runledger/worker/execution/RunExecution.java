package dev.runledger.worker.execution;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.SteeringItem;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.worker.claim.ClaimedAttempt;
import dev.runledger.worker.claim.RunClaim;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.AsyncAgentRunner;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.Results;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one run on this worker, from claim to terminal record (ARCHITECTURE.md §7.2,
 * §6.4): {@code RunClaimed{phase=waiting_runner}}, what the runner emits, then exactly one terminal
 * — the runner's own, or one the worker writes: {@code runner.error} when the runner throws, {@code
 * no_output} when it returns without a terminal, {@code deadline_exceeded} when {@code deadline_at}
 * passes, {@code cancelled} on {@link #cancel} (a {@code CancelRun} on run-control), {@code
 * runner-stalled} when the runner shows no activity for the inactivity timeout on the worker's
 * clock ({@link Inactivity}). Deltas are coalesced within {@code worker.delta.coalesce.ms} (0 turns
 * it off); whatever comes after the terminal is ignored and logged.
 *
 * <p>Which records are written, with which sequence, is decided by an {@link AttemptLog} under this
 * attempt's lock; they are appended after the lock is released, in sequence order ({@link
 * AttemptOutbox}). This class holds what runs around the log: the runner's thread, the deadline,
 * inactivity and coalescing timers, and the host API. {@link #terminalAcknowledged()} completes
 * once the terminal and every record before it were acknowledged by the broker; only then may the
 * command be acknowledged to the share group.
 */
public final class RunExecution implements ClaimedAttempt {
  private static final Logger LOG = LoggerFactory.getLogger(RunExecution.class);

  private final RunClaim claim;
  private final AgentRunner runner;
  private final AgentRunResult failFast;
  private final WorkerContext worker;
  private final ExecutionSession session;
  private final AttemptOutbox outbox;
  private final Object lock = new Object();
  private final AttemptLog log;
  private final Inactivity inactivity;
  private final AtomicBoolean warnedLate = new AtomicBoolean();
  private boolean started;
  private Instant startedAt;

  private String pendingCancel;
  private final RunnerThread runnerThread;
  private HostApi hostApi;
  private volatile CompletableFuture<Void> asyncRun;

  private RunExecution(
      final RunClaim claim,
      final AgentRunner runner,
      final AgentRunResult failFast,
      final WorkerContext worker) {
    this.claim = claim;
    this.runner = runner;
    this.failFast = failFast;
    this.worker = worker;
    this.inactivity = new Inactivity(worker.clock(), worker.inactivityTimeout());
    this.log = AttemptLog.of(claim, worker);
    this.outbox = new AttemptOutbox(worker.appender());
    this.runnerThread = new RunnerThread(outbox);
    this.session = new ExecutionSession(this);
  }

  /** An attempt that runs {@code runner}. */
  public static RunExecution of(
      final RunClaim claim, final AgentRunner runner, final WorkerContext worker) {
    return new RunExecution(claim, runner, null, worker);
  }

  /** An attempt failed at once without running anything (poison, a runner not hosted here). */
  public static RunExecution failing(
      final RunClaim claim, final AgentRunResult failure, final WorkerContext worker) {
    if (!Results.isTerminal(failure)) {
      throw new IllegalArgumentException("a failing attempt needs a terminal result");
    }
    return new RunExecution(claim, null, failure, worker);
  }

  /**
   * An attempt for a run that was cancelled before it was claimed (contract C1, ARCHITECTURE.md
   * §12): it writes nothing and is settled at once, so the command is accepted without running.
   */
  public static RunExecution skipped(final RunClaim claim, final WorkerContext worker) {
    final RunExecution execution = new RunExecution(claim, null, null, worker);
    synchronized (execution.lock) {
      execution.log.giveUp();
    }
    execution.outbox.settleWithoutTerminal(null);
    return execution;
  }

  @Override
  public String runId() {
    return claim.runId();
  }

  @Override
  public int attempt() {
    return claim.attempt();
  }

  /** Completes when the terminal record (and all before it) is acknowledged; see class doc. */
  @Override
  public CompletableFuture<Void> terminalAcknowledged() {
    return outbox.terminalAcknowledged();
  }

  /** Completes when the attempt has ended: terminal handed to the appender, abandoned, skipped. */
  public CompletableFuture<Void> whenEnded() {
    return outbox.terminalAppended();
  }

  /** True once {@link #whenEnded()} completed. */
  public boolean ended() {
    return whenEnded().isDone();
  }

  /** Runs the attempt on the calling thread; returns when the runner has returned. */
  public void execute() {
    start().join();
  }

  /**
   * Starts the attempt on the calling thread. A blocking {@link AgentRunner} runs on it and the
   * stage is complete when this returns; an {@link AsyncAgentRunner} only starts on it, and the
   * stage completes when the runner's own stage does, so a waiting run holds no thread. The stage
   * never completes exceptionally: a failing runner ends the run {@code runner.error}.
   */
  public CompletableFuture<Void> start() {
    final AttemptStart start = begin();
    if (start == null) {
      return CompletableFuture.completedFuture(null);
    }
    inactivity.touch();
    final Runnable stopTimers = startTimers();
    CompletableFuture<Void> running;
    try {
      running =
          switch (start) {
            case FAIL -> done(() -> end(failFast));
            case CANCEL -> done(() -> cancel(pendingCancel)); // set by begin on this thread
            case EXPIRE -> done(this::expire);
            case RUN -> run();
          };
    } catch (final Exception e) {
      running = CompletableFuture.failedFuture(e);
    } catch (final Error e) {
      runnerThread.leave();
      stopTimers.run();
      runnerFailed(e);
      endWithoutOutput();
      throw e;
    } finally {
      runnerThread.leave();
    }
    asyncRun = running;
    return running.handle(
        (ok, error) -> {
          if (error != null) {
            runnerFailed(unwrap(error));
          }
          stopTimers.run();
          endWithoutOutput();
          return null;
        });
  }

  /** True while an asynchronous runner's stage has not completed. */
  public boolean runnerPending() {
    final CompletableFuture<Void> running = asyncRun;
    return running != null && !running.isDone();
  }

  private CompletableFuture<Void> run() throws Exception {
    if (runner instanceof AsyncAgentRunner async) {
      return Objects.requireNonNull(
              async.start(claim.context(), session), "the runner's start returned null")
          .toCompletableFuture();
    }
    runner.run(claim.context(), session);
    return CompletableFuture.completedFuture(null);
  }

  private static CompletableFuture<Void> done(final Runnable action) {
    action.run();
    return CompletableFuture.completedFuture(null);
  }

  private static Throwable unwrap(final Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private void endWithoutOutput() {
    end(
        Results.failed(
            FailureCodes.NO_OUTPUT, "the runner returned without a terminal result", false));
  }

  /**
   * Takes the calling thread as the runner's, decides under the lock how the attempt starts (a
   * later cancel ends it after the claim) and writes the claim with its first phase; null once
   * ended.
   */
  private AttemptStart begin() {
    final AttemptStart start;
    synchronized (lock) {
      if (log.ended()) {
        return null;
      }
      started = true;
      startedAt = worker.clock().instant();
      LedgerMeters.runStarted(claim.runnerId());
      runnerThread.enter();
      if (pendingCancel == null) {
        pendingCancel =
            worker.control().cancellation(claim.runId()).map(RunExecution::describe).orElse(null);
      }
      final Instant now = worker.clock().instant();
      start =
          AttemptStart.of(
              failFast != null, pendingCancel != null, now, claim.start().getDeadlineAt());
      outbox.offer(log.claimed(start.firstPhase(), now));
    }
    outbox.drain();
    return start;
  }

  /**
   * Ends the run as {@code cancelled} at once and stops the runner. No-op once ended; before {@link
   * #execute} started it takes effect right after the claim record.
   */
  public void cancel(final String reason) {
    synchronized (lock) {
      if (!started && !log.ended()) {
        pendingCancel = reason;
        return;
      }
    }
    endAndStop(Results.failed(FailureCodes.CANCELLED, "run cancelled: " + reason, false));
  }

  /** Describes a CancelRun for the {@code run.failed.error} text. */
  public static String describe(final CancelRun cancel) {
    return cancel.getReason() + " (requested by " + cancel.getRequestedBy() + ")";
  }

  /** Ends the run as {@code deadline_exceeded} at once and stops the runner. No-op once ended. */
  public void expire() {
    final String error = "the run's deadline " + claim.start().getDeadlineAt() + " passed";
    endAndStop(Results.failed(FailureCodes.DEADLINE_EXCEEDED, error, false));
  }

  /** Fails the run {@code runner-stalled} when it showed no activity for the timeout. */
  void checkStalled() {
    final Optional<AgentRunResult> stalled = inactivity.stalled();
    if (stalled.isPresent() && !write(now -> log.stalled(stalled.get(), now)).isEmpty()) {
      stopRunner();
    }
  }

  /**
   * Gives the attempt up without a terminal record (the lease was lost, or the worker is shutting
   * down and releases the command so another worker runs the next attempt). Stops the runner; what
   * it emits afterwards is ignored. {@link #terminalAcknowledged()} completes exceptionally.
   */
  @Override
  public void abandon(final String reason) {
    synchronized (lock) {
      if (!log.giveUp()) {
        return;
      }
    }
    LOG.warn("run {} attempt {}: abandoned ({})", claim.runId(), claim.attempt(), reason);
    outbox.settleWithoutTerminal(new AttemptAbandonedException(reason));
    stopRunner();
  }

  /** Reports a liveness phase; a record is written only when the phase changes. */
  void liveness(final LivenessPhase next) {
    inactivity.touch();
    write(now -> log.liveness(next, now));
  }

  void emit(final AgentRunResult result) {
    inactivity.touch();
    final AttemptLog.Emitted emitted =
        write(now -> log.emit(result, now), AttemptLog.Emitted::records);
    if (emitted.outcome() == AttemptLog.Emit.HELD) {
      worker
          .timer()
          .schedule(() -> write(log::flushDelta), worker.deltaCoalesce().toMillis(), MILLISECONDS);
    } else if (emitted.outcome() == AttemptLog.Emit.IGNORED
        && warnedLate.compareAndSet(false, true)) {
      LOG.warn(
          "run {} attempt {}: {} emitted after the attempt ended; ignored (and any later ones)",
          claim.runId(),
          claim.attempt(),
          result.getType());
    }
  }

  /**
   * Takes the steering items queued since this attempt's last pull (all, or only the oldest),
   * appends {@code SteeringInjected} for each and remembers them for the terminal record. Nothing
   * once the attempt ended.
   */
  List<SteeringItem> pullSteering(final boolean oneOnly) {
    inactivity.touch();
    return write(
            now ->
                log.pull(
                    worker.control().steering(claim.runId(), log.steeringCursor()), oneOnly, now),
            AttemptLog.Pulled::records)
        .items();
  }

  /** Tells the runner that a steering item arrived for its run. */
  public void steeringAvailable() {
    if (active()) {
      session.signalSteering();
    }
  }

  /** True while steering items wait for this attempt to pull them. */
  boolean steeringQueued() {
    final int cursor;
    synchronized (lock) {
      cursor = log.steeringCursor();
    }
    return !worker.control().steering(claim.runId(), cursor).isEmpty();
  }

  /** True until the attempt has its terminal or gave up. */
  boolean active() {
    synchronized (lock) {
      return !log.ended();
    }
  }

  /** Appends a host-API call's audit record, after the terminal too. */
  void audit(final HostApiCall call) {
    write(now -> log.audit(call, now));
  }

  /** The host API of this attempt, built on first use; calls count as activity. */
  HostApi hostApi() {
    synchronized (lock) {
      if (hostApi == null) {
        hostApi = inactivity.counting(worker.hostApis().forRun(new AttemptAccess(this)));
      }
      return hostApi;
    }
  }

  /** Interrupts the runner's thread if it is still in {@link #execute} ({@link RunnerThread}). */
  public boolean interruptRunner() {
    return runnerThread.interrupt();
  }

  String workerId() {
    return worker.workerId();
  }

  /** Runs {@code action} on the worker's timer after {@code delay}. */
  ScheduledFuture<?> schedule(final Runnable action, final Duration delay) {
    return worker.timer().schedule(action, Math.max(0, delay.toMillis()), MILLISECONDS);
  }

  RunClaim claim() {
    return claim;
  }

  /**
   * Applies a change to the log under the lock and queues the records it returns; then appends
   * them, outside the lock, and stops the runner when a record over the limit ended the attempt.
   */
  private <T> T write(
      final Function<Instant, T> change, final Function<T, List<LedgerRecord>> records) {
    final T result;
    final String refused;
    synchronized (lock) {
      result = change.apply(worker.clock().instant());
      final List<LedgerRecord> written = records.apply(result);
      written.forEach(
          r -> LedgerMeters.ifTerminal(r, claim.runnerId(), startedAt, claim.context().getEvent()));
      outbox.offer(written);
      refused = log.takeRefusal();
    }
    outbox.drain();
    if (refused != null) {
      LOG.warn("run {} attempt {}: {}", claim.runId(), claim.attempt(), refused);
      stopRunner();
    }
    return result;
  }

  private List<LedgerRecord> write(final Function<Instant, List<LedgerRecord>> change) {
    return write(change, Function.identity());
  }

  /** Writes the terminal; true if this call ended the attempt. */
  private boolean end(final AgentRunResult terminal) {
    return !write(now -> log.end(terminal, now)).isEmpty();
  }

  private void endAndStop(final AgentRunResult terminal) {
    if (end(terminal)) {
      stopRunner();
    }
  }

  private void runnerFailed(final Throwable e) {
    if (!active()) {
      LOG.debug(
          "run {}: runner ended with {} after the attempt ended", claim.runId(), e.toString());
      return;
    }
    LOG.warn(
        "run {} attempt {}: runner {} failed", claim.runId(), claim.attempt(), claim.runnerId(), e);
    final String message = e.getMessage();
    final String error = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    end(Results.failed(FailureCodes.RUNNER_ERROR, error, false));
  }

  private void stopRunner() {
    session.signalCancelled();
    interruptRunner();
  }

  /** Starts the deadline timer and the inactivity check; returns what stops both. */
  private Runnable startTimers() {
    final Duration untilDeadline =
        Duration.between(worker.clock().instant(), claim.start().getDeadlineAt());
    final long period = inactivity.checkPeriod().toMillis();
    final ScheduledFuture<?> deadline =
        worker.timer().schedule(this::expire, Math.max(0, untilDeadline.toMillis()), MILLISECONDS);
    final ScheduledFuture<?> stallWatch =
        worker.timer().scheduleWithFixedDelay(this::checkStalled, period, period, MILLISECONDS);
    return () -> {
      deadline.cancel(false);
      stallWatch.cancel(false);
    };
  }
}
