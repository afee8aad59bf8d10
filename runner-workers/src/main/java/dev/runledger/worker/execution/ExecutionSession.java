package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.RunSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link RunSession} of one {@link RunExecution}. */
final class ExecutionSession implements RunSession {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutionSession.class);

  private final RunExecution execution;
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private final List<Runnable> onCancel = new ArrayList<>();
  private final List<Runnable> onSteering = new CopyOnWriteArrayList<>();

  ExecutionSession(final RunExecution execution) {
    this.execution = execution;
  }

  @Override
  public String runId() {
    return execution.runId();
  }

  @Override
  public int attempt() {
    return execution.attempt();
  }

  @Override
  public String workerId() {
    return execution.workerId();
  }

  @Override
  public void emit(final AgentRunResult result) {
    execution.emit(Objects.requireNonNull(result, "result"));
  }

  @Override
  public boolean isCancelled() {
    return cancelled.getCount() == 0;
  }

  @Override
  public void onCancel(final Runnable action) {
    Objects.requireNonNull(action, "action");
    synchronized (onCancel) {
      if (!isCancelled()) {
        onCancel.add(action);
        return;
      }
    }
    runSafely(action);
  }

  @Override
  public boolean sleep(final Duration duration) throws InterruptedException {
    try {
      return !cancelled.await(duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (final InterruptedException e) {
      if (!isCancelled()) {
        throw e;
      }
      // The worker signals cancellation before it interrupts: report it the documented way.
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** On the worker's timer; a cancel completes it at once and drops the timer task. */
  @Override
  public CompletionStage<Boolean> delay(final Duration duration) {
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    final ScheduledFuture<?> timer = execution.schedule(() -> done.complete(true), duration);
    onCancel(
        () -> {
          timer.cancel(false);
          done.complete(false);
        });
    return done;
  }

  @Override
  public List<SteeringItem> pullSteering() {
    return execution.pullSteering(false);
  }

  @Override
  public List<SteeringItem> pullOneSteering() {
    return execution.pullSteering(true);
  }

  @Override
  public void liveness(final LivenessPhase phase) {
    execution.liveness(Objects.requireNonNull(phase, "phase"));
  }

  @Override
  public void onSteeringAvailable(final Runnable action) {
    onSteering.add(Objects.requireNonNull(action, "action"));
    if (execution.steeringQueued()) {
      runSafely(action);
    }
  }

  @Override
  public HostApi hostApi() {
    return execution.hostApi();
  }

  void signalSteering() {
    onSteering.forEach(this::runSafely);
  }

  void signalCancelled() {
    final List<Runnable> actions;
    synchronized (onCancel) {
      if (isCancelled()) {
        return;
      }
      cancelled.countDown();
      actions = List.copyOf(onCancel);
      onCancel.clear();
    }
    actions.forEach(this::runSafely);
  }

  private void runSafely(final Runnable action) {
    try {
      action.run();
    } catch (final RuntimeException e) {
      LOG.warn("run {}: a cancel action of the runner failed", execution.runId(), e);
    }
  }
}
