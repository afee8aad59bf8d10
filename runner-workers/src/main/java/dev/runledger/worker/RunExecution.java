package dev.runledger.worker;

import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunRuntime;
import dev.runledger.worker.spi.AgentRunner;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.Results;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one run on this worker, from claim to terminal record (SPEC §6.2, §6.4).
 *
 * <p>It appends {@code RunClaimed{worker_id, attempt}} as sequence 1 of the attempt, then every
 * result the runner emits with strictly increasing sequences, then exactly one terminal record: the
 * runner's own {@code run.completed}/{@code run.failed}, or one the worker writes — {@code
 * runner.error} when the runner throws, {@code no_output} when it returns without a terminal,
 * {@code deadline_exceeded} when {@code deadline_at} passes, {@code cancelled} on {@link #cancel}.
 * Whatever comes after the terminal is ignored and logged. Every record carries {@code run_id},
 * {@code attempt}, {@code producer} = worker id and the conversation key.
 *
 * <p>{@link #terminalAcknowledged()} completes once the terminal and every record before it were
 * acknowledged by the broker; only then may the command be acknowledged to the share group.
 */
public final class RunExecution {
  private static final Logger LOG = LoggerFactory.getLogger(RunExecution.class);

  private final RunClaim claim;
  private final AgentRunner runner;
  private final AgentRunResult failFast;
  private final LedgerAppender appender;
  private final String workerId;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final String conversationKey;
  private final ExecutionSession session;
  private final CompletableFuture<Void> terminalAcknowledged = new CompletableFuture<>();
  private final Object lock = new Object();
  private final List<CompletableFuture<Void>> appends = new ArrayList<>();
  private long sequence;
  private boolean ended;
  private Thread runnerThread;

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
      append(RunClaimed.newBuilder().setWorkerId(workerId).setAttempt(claim.attempt()).build());
      runnerThread = Thread.currentThread();
    }
    final ScheduledFuture<?> deadline = scheduleDeadline();
    try {
      if (failFast != null) {
        end(failFast);
      } else if (!clock.instant().isBefore(claim.start().getDeadlineAt())) {
        expire();
      } else {
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
      end(
          Results.failed(
              FailureCodes.NO_OUTPUT, "the runner returned without a terminal result", false));
    }
  }

  /** Ends the run as {@code cancelled} at once and stops the runner. No-op once ended. */
  public void cancel(final String reason) {
    if (end(Results.failed(FailureCodes.CANCELLED, "run cancelled: " + reason, false))) {
      stopRunner();
    }
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
    stopRunner();
  }

  void emit(final AgentRunResult result) {
    synchronized (lock) {
      if (ended) {
        LOG.warn(
            "run {} attempt {}: {} emitted after the attempt ended; ignored",
            claim.runId(),
            claim.attempt(),
            result.getType());
        return;
      }
      if (Results.isTerminal(result)) {
        end(result);
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
      append(terminal);
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

  private void append(final Object body) {
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
    synchronized (lock) {
      if (runnerThread != null) {
        runnerThread.interrupt();
      }
    }
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

  /** Why {@link #terminalAcknowledged()} failed when the attempt was given up. */
  public static final class AttemptAbandonedException extends RuntimeException {
    AttemptAbandonedException(final String reason) {
      super("attempt abandoned: " + reason);
    }
  }
}
