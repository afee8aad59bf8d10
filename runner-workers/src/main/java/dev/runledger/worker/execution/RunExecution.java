package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.RunRuntime;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.claim.ClaimedAttempt;
import dev.runledger.worker.claim.RunClaim;
import dev.runledger.worker.control.RunControl;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.HostApiFactory;
import dev.runledger.worker.spi.Results;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one run on this worker, from claim to terminal record (SPEC §6.2, §6.4).
 *
 * <p>It appends {@code RunClaimed{worker_id, attempt}} as sequence 1 of the attempt and {@code
 * RunLiveness{waiting_runner}} as sequence 2, then every result the runner emits (and every
 * liveness change, {@code SteeringInjected} and {@code HostApiCall} audit) with strictly increasing
 * sequences, then exactly one terminal record: the runner's own {@code run.completed}/{@code
 * run.failed}, or one the worker writes — {@code runner.error} when the runner throws, {@code
 * no_output} when it returns without a terminal, {@code deadline_exceeded} when {@code deadline_at}
 * passes, {@code cancelled} on {@link #cancel} (a {@code CancelRun} on run-control), {@code
 * runner-stalled} (after {@code RunLiveness{runner_stalled}}) when the runner shows no activity for
 * the inactivity timeout (measured on the worker's clock). The terminal's {@code pulled_steering}
 * lists the source event ids of the steering items this attempt pulled ({@link #pullSteering}).
 * Consecutive {@code message.delta} results of one role are coalesced into one record when they
 * come within {@code worker.delta.coalesce.ms} of the first (default 50 ms; 0 turns it off).
 * Whatever comes after the terminal is ignored and logged. Every record carries {@code run_id},
 * {@code attempt}, {@code producer} = worker id and the conversation key.
 *
 * <p>Which records are written is decided by an {@link AttemptLog} under this attempt's lock; they
 * are appended after the lock is released, in sequence order ({@link AttemptOutbox}). This class
 * holds what runs around the log: the runner's thread, the deadline and inactivity timers, the
 * delta-coalescing timer and the host API.
 *
 * <p>{@link #terminalAcknowledged()} completes once the terminal and every record before it were
 * acknowledged by the broker; only then may the command be acknowledged to the share group.
 */
public final class RunExecution implements ClaimedAttempt {
  private static final Logger LOG = LoggerFactory.getLogger(RunExecution.class);

  private final RunClaim claim;
  private final AgentRunner runner;
  private final AgentRunResult failFast;
  private final String workerId;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final RunControl control;
  private final HostApiFactory hostApis;
  private final Duration inactivityTimeout;
  private final Duration coalesce;
  private final ExecutionSession session;
  private final AttemptOutbox outbox;
  private final Object lock = new Object();
  private final AttemptLog log;
  private final AtomicInteger callsInFlight = new AtomicInteger();
  private final AtomicBoolean warnedLate = new AtomicBoolean();
  private volatile Instant lastActivity;
  private boolean started;
  private String pendingCancel;
  private Thread runnerThread;
  private HostApi hostApi;

  private RunExecution(
      final RunClaim claim,
      final AgentRunner runner,
      final AgentRunResult failFast,
      final WorkerContext worker) {
    this.claim = claim;
    this.runner = runner;
    this.failFast = failFast;
    this.workerId = worker.workerId();
    this.clock = worker.clock();
    this.timer = worker.timer();
    this.control = worker.control();
    this.hostApis = worker.hostApis();
    this.inactivityTimeout = worker.inactivityTimeout();
    this.coalesce = worker.deltaCoalesce();
    this.log = new AttemptLog(claim, workerId, !coalesce.isZero());
    this.outbox = new AttemptOutbox(worker.appender());
    this.session = new ExecutionSession(this);
    this.lastActivity = clock.instant();
  }

  /** An attempt that runs {@code runner}. */
  public static RunExecution of(
      final RunClaim claim, final AgentRunner runner, final WorkerContext worker) {
    return new RunExecution(claim, runner, null, worker);
  }

  /**
   * An attempt that is claimed and failed at once without running anything (poison, a runner this
   * worker does not host).
   */
  public static RunExecution failing(
      final RunClaim claim, final AgentRunResult failure, final WorkerContext worker) {
    if (!Results.isTerminal(failure)) {
      throw new IllegalArgumentException("a failing attempt needs a terminal result");
    }
    return new RunExecution(claim, null, failure, worker);
  }

  /**
   * An attempt for a run that was cancelled before it was claimed (C1): it writes nothing and is
   * settled at once, so the command is accepted without running.
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

  /**
   * Completes when the attempt has ended: its terminal was handed to the appender, or it was
   * abandoned or skipped. Not when the terminal is acknowledged.
   */
  public CompletableFuture<Void> whenEnded() {
    return outbox.terminalAppended();
  }

  /** True once the attempt has its terminal record or was abandoned. */
  public boolean ended() {
    return whenEnded().isDone();
  }

  /** Runs the attempt on the calling thread; returns when the runner has returned. */
  public void execute() {
    if (!begin()) {
      return;
    }
    touch();
    final ScheduledFuture<?> deadline = scheduleDeadline();
    final ScheduledFuture<?> stallWatch = scheduleStallWatch();
    try {
      final Optional<String> cancelled = cancelledBeforeStart();
      if (failFast != null) {
        end(failFast);
      } else if (cancelled.isPresent()) {
        cancel(cancelled.get());
      } else if (!clock.instant().isBefore(claim.start().getDeadlineAt())) {
        expire();
      } else {
        liveness(LivenessPhase.WAITING_RUNNER);
        runner.run(contextForAttempt(), session);
      }
    } catch (final Exception e) {
      runnerFailed(e);
    } catch (final Error e) {
      runnerFailed(e);
      throw e;
    } finally {
      synchronized (lock) {
        runnerThread = null;
        // An interrupt this execution delivered must not leak into the pool thread's next task.
        Thread.interrupted();
      }
      deadline.cancel(false);
      stallWatch.cancel(false);
      end(
          Results.failed(
              FailureCodes.NO_OUTPUT, "the runner returned without a terminal result", false));
    }
  }

  /** Writes the claim and takes the calling thread as the runner's; false once ended. */
  private boolean begin() {
    synchronized (lock) {
      if (log.ended()) {
        return false;
      }
      started = true;
      runnerThread = Thread.currentThread();
      outbox.offer(log.claimed(clock.instant()));
    }
    outbox.drain();
    return true;
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

  private Optional<String> cancelledBeforeStart() {
    synchronized (lock) {
      if (pendingCancel != null) {
        return Optional.of(pendingCancel);
      }
    }
    return control.cancellation(claim.runId()).map(RunExecution::describe);
  }

  /** Ends the run as {@code deadline_exceeded} at once and stops the runner. No-op once ended. */
  public void expire() {
    final String error = "the run's deadline " + claim.start().getDeadlineAt() + " passed";
    endAndStop(Results.failed(FailureCodes.DEADLINE_EXCEEDED, error, false));
  }

  /** Fails the run {@code runner-stalled} when it showed no activity for the timeout. */
  void checkStalled() {
    if (callsInFlight.get() > 0) {
      return;
    }
    final Duration idle = Duration.between(lastActivity, clock.instant());
    if (idle.compareTo(inactivityTimeout) < 0) {
      return;
    }
    final AgentRunResult stalled =
        Results.failed(
            FailureCodes.RUNNER_STALLED,
            "the runner produced nothing for "
                + idle.toMillis()
                + " ms (inactivity timeout "
                + inactivityTimeout.toMillis()
                + " ms)",
            false);
    if (!write(now -> log.stalled(stalled, now)).isEmpty()) {
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
    touch();
    write(now -> log.liveness(next, now));
  }

  void emit(final AgentRunResult result) {
    touch();
    final AttemptLog.Emitted emitted =
        write(now -> log.emit(result, now), AttemptLog.Emitted::records);
    if (emitted.outcome() == AttemptLog.Emit.HELD) {
      timer.schedule(() -> write(log::flushDelta), coalesce.toMillis(), TimeUnit.MILLISECONDS);
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
    touch();
    return write(
            now -> log.pull(control.steering(claim.runId(), log.steeringCursor()), oneOnly, now),
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
    return !control.steering(claim.runId(), cursor).isEmpty();
  }

  /** True until the attempt has its terminal or gave up. */
  boolean active() {
    synchronized (lock) {
      return !log.ended();
    }
  }

  /** Appends a host-API call's audit record; false (nothing written) once the attempt ended. */
  boolean audit(final HostApiCall call) {
    return !write(now -> log.audit(call, now)).isEmpty();
  }

  /** The host API of this attempt, built on first use; calls count as activity. */
  HostApi hostApi() {
    synchronized (lock) {
      if (hostApi == null) {
        final HostApi api = hostApis.forRun(new AttemptAccess(this));
        hostApi =
            (method, params) -> {
              callsInFlight.incrementAndGet();
              touch();
              try {
                return api.call(method, params);
              } finally {
                touch();
                callsInFlight.decrementAndGet();
              }
            };
      }
      return hostApi;
    }
  }

  /**
   * Interrupts the runner's thread if it is still in {@link #execute} (once it has finished an
   * append it is making); true if it was.
   */
  public boolean interruptRunner() {
    synchronized (lock) {
      if (runnerThread != null) {
        outbox.interrupt(runnerThread);
        return true;
      }
      return false;
    }
  }

  String workerId() {
    return workerId;
  }

  RunClaim claim() {
    return claim;
  }

  AgentRunContext contextForAttempt() {
    final AgentRunContext context = claim.start().getContext();
    final RunRuntime runtime =
        RunRuntime.newBuilder(context.getRuntime()).setAttempt(claim.attempt()).build();
    return AgentRunContext.newBuilder(context).setRuntime(runtime).build();
  }

  /**
   * Applies a change to the log under the lock and queues the records it returns; then appends
   * them, outside the lock.
   */
  private <T> T write(
      final Function<Instant, T> change, final Function<T, List<LedgerRecord>> records) {
    final T result;
    synchronized (lock) {
      result = change.apply(clock.instant());
      outbox.offer(records.apply(result));
    }
    outbox.drain();
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
    end(Results.failed(FailureCodes.RUNNER_ERROR, describe(e), false));
  }

  private void stopRunner() {
    session.signalCancelled();
    interruptRunner();
  }

  private void touch() {
    lastActivity = clock.instant();
  }

  private ScheduledFuture<?> scheduleStallWatch() {
    final long period = Math.max(50, Math.min(1000, inactivityTimeout.toMillis() / 4));
    return timer.scheduleWithFixedDelay(this::checkStalled, period, period, TimeUnit.MILLISECONDS);
  }

  private ScheduledFuture<?> scheduleDeadline() {
    final Instant deadlineAt = claim.start().getDeadlineAt();
    final long delay = Math.max(0, Duration.between(clock.instant(), deadlineAt).toMillis());
    return timer.schedule(this::expire, delay, TimeUnit.MILLISECONDS);
  }

  private static String describe(final Throwable e) {
    final String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** Why {@link #terminalAcknowledged()} failed when the attempt was given up. */
  public static final class AttemptAbandonedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AttemptAbandonedException(final String reason) {
      super("attempt abandoned: " + reason);
    }
  }
}
