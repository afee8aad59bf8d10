package dev.runledger.worker;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunLiveness;
import dev.runledger.avro.RunRuntime;
import dev.runledger.avro.SteeringInjected;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.HostApiFactory;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunAccess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * the inactivity timeout. The terminal's {@code pulled_steering} lists the source event ids of the
 * steering items this attempt pulled ({@link #pullSteering}). Consecutive {@code message.delta}
 * results of one role are coalesced into one record when they come within {@code
 * worker.delta.coalesce.ms} of the first (default 50 ms; 0 turns it off). Whatever comes after the
 * terminal is ignored and logged. Every record carries {@code run_id}, {@code attempt}, {@code
 * producer} = worker id and the conversation key.
 *
 * <p>{@link #terminalAcknowledged()} completes once the terminal and every record before it were
 * acknowledged by the broker; only then may the command be acknowledged to the share group.
 */
public final class RunExecution {
  private static final Logger LOG = LoggerFactory.getLogger(RunExecution.class);
  private static final int MAX_COALESCED_CHARS = 16 * 1024;

  private final RunClaim claim;
  private final AgentRunner runner;
  private final AgentRunResult failFast;
  private final LedgerAppender appender;
  private final String workerId;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final String conversationKey;
  private final ExecutionSession session;
  private final RunControl control;
  private final HostApiFactory hostApis;
  private final Duration inactivityTimeout;
  private final CompletableFuture<Void> terminalAcknowledged = new CompletableFuture<>();
  private final CompletableFuture<Void> endedFuture = new CompletableFuture<>();
  private final Object lock = new Object();
  private final List<CompletableFuture<Void>> appends = new ArrayList<>();
  private final Set<String> pulled = new LinkedHashSet<>();
  private final AtomicInteger callsInFlight = new AtomicInteger();
  private long sequence;
  private boolean ended;
  private boolean started;
  private boolean warnedLate;
  private String pendingCancel;
  private Thread runnerThread;
  private int steeringCursor;
  private LivenessPhase phase;
  private volatile long lastActivityNanos = System.nanoTime();
  private HostApi hostApi;
  private final Duration coalesce;
  private MessageDelta pendingDelta;

  private RunExecution(
      final RunClaim claim,
      final AgentRunner runner,
      final AgentRunResult failFast,
      final WorkerContext worker) {
    this.claim = claim;
    this.runner = runner;
    this.failFast = failFast;
    this.appender = worker.appender();
    this.workerId = worker.workerId();
    this.clock = worker.clock();
    this.timer = worker.timer();
    this.conversationKey = claim.conversationKey();
    this.control = worker.control();
    this.hostApis = worker.hostApis();
    this.inactivityTimeout = worker.inactivityTimeout();
    this.coalesce = worker.deltaCoalesce();
    this.session = new ExecutionSession(this);
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
      execution.ended = true;
    }
    execution.terminalAcknowledged.complete(null);
    execution.endedFuture.complete(null);
    return execution;
  }

  public String runId() {
    return claim.runId();
  }

  public int attempt() {
    return claim.attempt();
  }

  /** Completes when the terminal record (and all before it) is acknowledged; see class doc. */
  public CompletableFuture<Void> terminalAcknowledged() {
    return terminalAcknowledged;
  }

  /** Completes when the attempt ends (terminal written or abandoned), not when it is acked. */
  public CompletableFuture<Void> whenEnded() {
    return endedFuture;
  }

  /** True once the attempt has its terminal record or was abandoned. */
  public boolean ended() {
    synchronized (lock) {
      return ended;
    }
  }

  /** Runs the attempt on the calling thread; returns when the runner has returned. */
  public void execute() {
    synchronized (lock) {
      if (ended) {
        return;
      }
      started = true;
      append(RunClaimed.newBuilder().setWorkerId(workerId).setAttempt(claim.attempt()).build());
      runnerThread = Thread.currentThread();
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

  /**
   * Ends the run as {@code cancelled} at once and stops the runner. No-op once ended; before {@link
   * #execute} started it takes effect right after the claim record.
   */
  public void cancel(final String reason) {
    synchronized (lock) {
      if (!started && !ended) {
        pendingCancel = reason;
        return;
      }
    }
    if (end(Results.failed(FailureCodes.CANCELLED, "run cancelled: " + reason, false))) {
      stopRunner();
    }
  }

  /** Describes a CancelRun for the {@code run.failed.error} text. */
  static String describe(final CancelRun cancel) {
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

  /** Fails the run {@code runner-stalled} when it showed no activity for the timeout. */
  void checkStalled() {
    if (callsInFlight.get() > 0) {
      return;
    }
    final long idle = System.nanoTime() - lastActivityNanos;
    if (idle < inactivityTimeout.toNanos()) {
      return;
    }
    final boolean stalled;
    synchronized (lock) {
      if (ended) {
        return;
      }
      appendLiveness(LivenessPhase.RUNNER_STALLED);
      stalled =
          end(
              Results.failed(
                  FailureCodes.RUNNER_STALLED,
                  "the runner produced nothing for "
                      + Duration.ofNanos(idle).toMillis()
                      + " ms (inactivity timeout "
                      + inactivityTimeout.toMillis()
                      + " ms)",
                  false));
    }
    if (stalled) {
      stopRunner();
    }
  }

  /** Reports a liveness phase; a record is written only when the phase changes. */
  void liveness(final LivenessPhase next) {
    touch();
    synchronized (lock) {
      if (!ended && next != phase) {
        appendLiveness(next);
      }
    }
  }

  private void appendLiveness(final LivenessPhase next) {
    phase = next;
    append(RunLiveness.newBuilder().setPhase(next).build());
  }

  /**
   * Takes the steering items queued since this attempt's last pull (all, or only the oldest),
   * appends {@code SteeringInjected} for each and remembers them for the terminal record. Nothing
   * once the attempt ended.
   */
  List<SteeringItem> pullSteering(final boolean oneOnly) {
    touch();
    synchronized (lock) {
      if (ended) {
        return List.of();
      }
      final List<SteeringItem> queued = control.steering(claim.runId(), steeringCursor);
      final List<SteeringItem> taken =
          oneOnly && queued.size() > 1 ? List.of(queued.get(0)) : queued;
      steeringCursor += taken.size();
      for (final SteeringItem item : taken) {
        append(SteeringInjected.newBuilder().setSourceEventId(item.getSourceEventId()).build());
        pulled.add(item.getSourceEventId());
      }
      return taken;
    }
  }

  /** Tells the runner that a steering item arrived for its run. */
  void steeringAvailable() {
    if (!ended()) {
      session.signalSteering();
    }
  }

  /** True while steering items wait for this attempt to pull them. */
  boolean steeringQueued() {
    synchronized (lock) {
      return !control.steering(claim.runId(), steeringCursor).isEmpty();
    }
  }

  /** The host API of this attempt, built on first use; calls count as activity. */
  HostApi hostApi() {
    synchronized (lock) {
      if (hostApi == null) {
        final HostApi api = hostApis.forRun(new Access());
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

  private void touch() {
    lastActivityNanos = System.nanoTime();
  }

  /** Ends the run as {@code deadline_exceeded} at once and stops the runner. No-op once ended. */
  public void expire() {
    final String error = "the run's deadline " + claim.start().getDeadlineAt() + " passed";
    if (end(Results.failed(FailureCodes.DEADLINE_EXCEEDED, error, false))) {
      stopRunner();
    }
  }

  /**
   * Gives the attempt up without a terminal record (the lease was lost, or the worker is shutting
   * down and releases the command so another worker runs the next attempt). Stops the runner; what
   * it emits afterwards is ignored. {@link #terminalAcknowledged()} completes exceptionally.
   */
  public void abandon(final String reason) {
    synchronized (lock) {
      if (ended) {
        return;
      }
      ended = true;
    }
    LOG.warn("run {} attempt {}: abandoned ({})", claim.runId(), claim.attempt(), reason);
    terminalAcknowledged.completeExceptionally(new AttemptAbandonedException(reason));
    endedFuture.complete(null);
    stopRunner();
  }

  void emit(final AgentRunResult result) {
    touch();
    synchronized (lock) {
      if (ended) {
        if (!warnedLate) {
          warnedLate = true;
          LOG.warn(
              "run {} attempt {}: {} emitted after the attempt ended; ignored (and any later ones)",
              claim.runId(),
              claim.attempt(),
              result.getType());
        }
        return;
      }
      if (Results.isTerminal(result)) {
        end(result);
      } else if (result.getPayload() instanceof MessageDelta delta && !coalesce.isZero()) {
        coalesceDelta(delta);
      } else {
        append(result);
      }
    }
  }

  private boolean end(final AgentRunResult terminal) {
    synchronized (lock) {
      if (ended) {
        return false;
      }
      ended = true;
      append(withPulledSteering(terminal));
      endedFuture.complete(null);
      CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new))
          .whenComplete(
              (ok, failure) -> {
                if (failure == null) {
                  terminalAcknowledged.complete(null);
                } else {
                  terminalAcknowledged.completeExceptionally(failure);
                }
              });
      return true;
    }
  }

  /**
   * The terminal with this attempt's pulled steering items added to its {@code pulled_steering}.
   */
  private AgentRunResult withPulledSteering(final AgentRunResult terminal) {
    if (pulled.isEmpty()) {
      return terminal;
    }
    if (terminal.getPayload() instanceof RunCompleted completed) {
      final Set<String> ids = new LinkedHashSet<>(completed.getPulledSteering());
      ids.addAll(pulled);
      return new AgentRunResult(
          terminal.getType(),
          RunCompleted.newBuilder(completed).setPulledSteering(List.copyOf(ids)).build());
    }
    if (terminal.getPayload() instanceof RunFailed failed) {
      final Set<String> ids = new LinkedHashSet<>(failed.getPulledSteering());
      ids.addAll(pulled);
      return new AgentRunResult(
          terminal.getType(),
          RunFailed.newBuilder(failed).setPulledSteering(List.copyOf(ids)).build());
    }
    return terminal;
  }

  /**
   * Holds a delta for up to the coalescing window, merging consecutive deltas of the same role into
   * one record (SPEC §6.2). Anything else appended flushes it first, so ledger order is kept.
   */
  private void coalesceDelta(final MessageDelta delta) {
    if (pendingDelta != null
        && pendingDelta.getChunk().getRole().equals(delta.getChunk().getRole())
        && pendingDelta.getChunk().getContent().length() < MAX_COALESCED_CHARS) {
      pendingDelta =
          MessageDelta.newBuilder()
              .setChunk(
                  ChatMessage.newBuilder(pendingDelta.getChunk())
                      .setContent(
                          pendingDelta.getChunk().getContent() + delta.getChunk().getContent())
                      .build())
              .build();
      return;
    }
    flushDelta();
    pendingDelta = delta;
    timer.schedule(
        () -> {
          synchronized (lock) {
            flushDelta();
          }
        },
        coalesce.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Appends the held delta, if any. Callers hold {@code lock}. */
  private void flushDelta() {
    if (pendingDelta != null) {
      final MessageDelta delta = pendingDelta;
      pendingDelta = null;
      appendNow(new AgentRunResult(Results.MESSAGE_DELTA, delta));
    }
  }

  private void append(final Object body) {
    flushDelta();
    appendNow(body);
  }

  private void appendNow(final Object body) {
    final LedgerRecord record =
        LedgerRecord.newBuilder()
            .setRunId(claim.runId())
            .setAttempt(claim.attempt())
            .setSequence(++sequence)
            .setTimestamp(clock.instant())
            .setProducer(workerId)
            .setConversationKey(conversationKey)
            .setBody(body)
            .build();
    CompletableFuture<Void> appended;
    try {
      appended = appender.append(record);
    } catch (final RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    appends.add(appended);
  }

  private void runnerFailed(final Throwable e) {
    if (ended()) {
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

  /** Interrupts the runner's thread if it is still in {@link #execute}; true if it was. */
  boolean interruptRunner() {
    synchronized (lock) {
      if (runnerThread != null) {
        runnerThread.interrupt();
        return true;
      }
      return false;
    }
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

  private AgentRunContext contextForAttempt() {
    final AgentRunContext context = claim.start().getContext();
    final RunRuntime runtime =
        RunRuntime.newBuilder(context.getRuntime()).setAttempt(claim.attempt()).build();
    return AgentRunContext.newBuilder(context).setRuntime(runtime).build();
  }

  private static String describe(final Throwable e) {
    final String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  String workerId() {
    return workerId;
  }

  /** The {@link RunAccess} this attempt lends its host API (C4). */
  private final class Access implements RunAccess {
    @Override
    public AgentRunContext context() {
      return contextForAttempt();
    }

    @Override
    public AuthorizationSnapshot snapshot() {
      return claim.start().getSnapshot();
    }

    @Override
    public int attempt() {
      return claim.attempt();
    }

    @Override
    public boolean active() {
      return !ended();
    }

    @Override
    public void audit(final HostApiCall call) {
      synchronized (lock) {
        if (ended) {
          LOG.info(
              "run {} attempt {}: host-API call {} ({}) after the attempt ended; not audited",
              claim.runId(),
              claim.attempt(),
              call.getAction(),
              call.getOutcome());
          return;
        }
        append(call);
      }
    }

    @Override
    public void emit(final AgentRunResult result) {
      RunExecution.this.emit(result);
    }

    @Override
    public List<SteeringItem> pullSteering(final boolean oneOnly) {
      return RunExecution.this.pullSteering(oneOnly);
    }

    @Override
    public void liveness(final LivenessPhase phase) {
      RunExecution.this.liveness(phase);
    }
  }

  /** Why {@link #terminalAcknowledged()} failed when the attempt was given up. */
  public static final class AttemptAbandonedException extends RuntimeException {
    AttemptAbandonedException(final String reason) {
      super("attempt abandoned: " + reason);
    }
  }
}
