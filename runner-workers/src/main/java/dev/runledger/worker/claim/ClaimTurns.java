package dev.runledger.worker.claim;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which of a worker's claim consumers may fetch new commands: at most {@code
 * worker.claim.consumers} at once, each holding a <i>turn</i>. A consumer whose batch outlives the
 * hand-over threshold gives its turn back and only keeps its runs' leases, since a share consumer
 * acquires nothing while it holds records (see {@link ShareGroupClaimer}); when no idle consumer is
 * waiting to take the turn, one more consumer is opened, up to {@code max}. Consumers beyond the
 * claiming ones that stay idle for long are closed again.
 */
final class ClaimTurns {
  private final Semaphore turns;
  private final int claimers;
  private final int max;
  private final Runnable opener;
  private final StopSignal stop;
  private final AtomicInteger waiting = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();

  /**
   * @param claimers consumers that claim at once (turns)
   * @param max consumers open at most
   * @param opener starts one more consumer
   */
  ClaimTurns(final int claimers, final int max, final Runnable opener, final StopSignal stop) {
    this.turns = new Semaphore(claimers);
    this.claimers = claimers;
    this.max = Math.max(claimers, max);
    this.opener = opener;
    this.stop = stop;
  }

  /** Opens the claiming consumers. */
  void openClaimers() {
    for (int i = 0; i < claimers; i++) {
      openOne();
    }
  }

  /** Waits up to {@code wait} for a turn; true if the caller now holds one. */
  boolean take(final Duration wait) throws InterruptedException {
    waiting.incrementAndGet();
    try {
      return turns.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      waiting.decrementAndGet();
    }
  }

  /** Gives a turn back (the consumer is closing). */
  void give() {
    turns.release();
  }

  /**
   * Gives a turn back so another consumer claims while the caller holds runs; opens a consumer for
   * it when none is waiting.
   */
  void handOver() {
    turns.release();
    if (waiting.get() == 0 && !stop.stopping()) {
      openOne();
    }
  }

  /**
   * Whether an idle consumer should close: true (and counted as closed) when more consumers are
   * open than claim at once.
   */
  boolean retire() {
    while (true) {
      final int now = open.get();
      if (now <= claimers) {
        return false;
      }
      if (open.compareAndSet(now, now - 1)) {
        return true;
      }
    }
  }

  /** A consumer that did not {@link #retire} has stopped. */
  void closed() {
    open.decrementAndGet();
  }

  /** Consumers open now. */
  int open() {
    return open.get();
  }

  private void openOne() {
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      return;
    }
    opener.run();
  }
}
