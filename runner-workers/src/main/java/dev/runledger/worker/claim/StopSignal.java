package dev.runledger.worker.claim;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Tells claim consumers that the worker is closing and until when running runs may finish. */
final class StopSignal {
  private volatile boolean stopping;
  private volatile long graceEndNanos;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();

  /** Stop claiming; runs may finish within {@code grace}. Only the first call counts. */
  synchronized void stop(final Duration grace) {
    if (!stopping) {
      graceEndNanos = System.nanoTime() + grace.toNanos();
      stopping = true;
      stopped.complete(null);
    }
  }

  /** Completes when the worker starts closing, to wake claim consumers that wait for runs. */
  CompletableFuture<Void> stopped() {
    return stopped;
  }

  boolean stopping() {
    return stopping;
  }

  /** True once the worker is closing and its grace period is over. */
  boolean graceOver() {
    return stopping && System.nanoTime() - graceEndNanos >= 0;
  }

  /** At most {@code wait}, and no longer than what is left of the grace period when stopping. */
  Duration cap(final Duration wait) {
    if (!stopping) {
      return wait;
    }
    final long left = Math.max(0, graceEndNanos - System.nanoTime());
    return Duration.ofNanos(Math.min(left, wait.toNanos()));
  }
}
