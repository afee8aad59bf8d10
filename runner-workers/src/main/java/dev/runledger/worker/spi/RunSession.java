package dev.runledger.worker.spi;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.SteeringItem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A runner's handle on the attempt it is executing: the sink for its results and its view of
 * cancellation. Safe to use from any thread. Host-API calls (ARCHITECTURE.md §7.5) go through
 * {@link #hostApi()}, checked against the run's authorization snapshot by the worker.
 *
 * <p>Activity: every {@link #emit}, steering pull, {@link #liveness} report and host-API call
 * counts as activity; a runner that shows none for {@code worker.inactivity.timeout.ms} is failed
 * {@code runner-stalled}.
 */
public interface RunSession {

  /** The run. */
  String runId();

  /** This claim's attempt number, from 1. */
  int attempt();

  /** The worker executing the attempt. */
  String workerId();

  /**
   * Appends a result to the ledger (asynchronously; records keep emit order). A {@code
   * run.completed} or {@code run.failed} result ends the attempt; anything emitted after it, or
   * after the worker ended the run (cancel, deadline), is ignored and logged.
   */
  void emit(AgentRunResult result);

  /** True once the run was cancelled, its deadline passed, or the worker gave up the attempt. */
  boolean isCancelled();

  /** Registers an action to run (once, on a worker thread) when the run is cancelled. */
  void onCancel(Runnable action);

  /**
   * Waits up to {@code duration}, returning early when the run is cancelled.
   *
   * @return true if the whole duration passed, false if the run was cancelled
   * @throws InterruptedException if the thread is interrupted
   */
  boolean sleep(Duration duration) throws InterruptedException;

  /**
   * Waits {@code duration} without holding a thread ({@link AsyncAgentRunner}): the stage completes
   * with true when the whole duration passed, with false as soon as the run is cancelled. The
   * worker's session completes it on the worker's timer thread, so what follows it must not block.
   */
  default CompletionStage<Boolean> delay(final Duration duration) {
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    onCancel(() -> done.complete(false));
    if (!done.isDone()) {
      CompletableFuture.delayedExecutor(duration.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> done.complete(true));
    }
    return done;
  }

  /**
   * Takes the steering items queued for this run since the last pull, in claim order ({@code
   * steering_pull(mode=all)}). The worker records which items were pulled in the terminal record.
   */
  List<SteeringItem> pullSteering();

  /**
   * Takes only the oldest queued steering item ({@code steering_pull(mode=one)}), or nothing. Like
   * {@link #pullSteering()} it is recorded as {@code SteeringInjected} and in the terminal.
   */
  default List<SteeringItem> pullOneSteering() {
    return pullSteering();
  }

  /**
   * Reports what the run is waiting on ({@code RunLiveness}; e.g. {@code WAITING_MODEL} around a
   * model call, {@code WAITING_TOOL} around a tool call, {@code IDLE_AFTER_TOOL}). The worker
   * writes a record only when the phase changes. Any call also counts as activity for the
   * inactivity timeout.
   */
  default void liveness(final LivenessPhase phase) {}

  /**
   * Registers an action to run (on the worker's run-control thread; keep it short) whenever a
   * steering item for this run arrives; it also runs at once if items are already waiting. For
   * runners that tell an external process ({@code steering.available}).
   */
  default void onSteeringAvailable(final Runnable action) {}

  /**
   * The host API of this attempt (history, events, state, storage, artifacts, steering, models,
   * tools, knowledge), checked against the run's authorization snapshot and audited.
   */
  HostApi hostApi();
}
