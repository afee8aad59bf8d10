package dev.runledger.deploy.bench;

import java.util.concurrent.locks.LockSupport;

/** Sending at a fixed offered rate. */
final class Pacing {
  private Pacing() {}

  /** Parks until {@code System.nanoTime()} reaches {@code deadlineNanos}. */
  static void waitUntil(final long deadlineNanos) {
    long left;
    while ((left = deadlineNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }
}
