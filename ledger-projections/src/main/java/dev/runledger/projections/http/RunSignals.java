package dev.runledger.projections.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Wakes the event streams of a run when this instance's fold writes that run, so a stream sends a
 * new event as soon as it is readable instead of at its next poll. Only runs with an open stream
 * are kept; a run owned by another instance is never signalled here, and its streams poll as
 * before.
 *
 * <p>Each run has a version that every write of it bumps. A stream reads the version before it
 * reads the events and then waits only while the version is unchanged, so a write between the two
 * is never missed.
 */
public final class RunSignals {
  private final ConcurrentMap<String, Signal> open = new ConcurrentHashMap<>();

  /** Called by the fold, on the stream thread, each time it writes {@code runId}. */
  public void written(final String runId) {
    final Signal signal = open.get(runId);
    if (signal != null) {
      signal.bump();
    }
  }

  /** How many runs have an open stream. */
  int watched() {
    return open.size();
  }

  /** A stream's hold on the signal of {@code runId}; close it when the stream ends. */
  Watch watch(final String runId) {
    final Signal signal = open.compute(runId, (id, s) -> (s == null ? new Signal() : s).join());
    return new Watch(runId, signal);
  }

  /** One stream's view of a run's signal. */
  final class Watch implements AutoCloseable {
    private final String runId;
    private final Signal signal;

    private Watch(final String runId, final Signal signal) {
      this.runId = runId;
      this.signal = signal;
    }

    /** The run's version now. */
    long version() {
      return signal.version();
    }

    /** Waits up to {@code millis} for a write after {@code seen} (a {@link #version}). */
    void await(final long seen, final long millis) throws InterruptedException {
      signal.await(seen, millis);
    }

    @Override
    public void close() {
      open.computeIfPresent(runId, (id, s) -> s.leave() ? null : s);
    }
  }

  /** A run's write count and the number of streams watching it. */
  private static final class Signal {
    private long version;
    private int watchers;

    synchronized Signal join() {
      watchers++;
      return this;
    }

    /** True when no stream watches any more. */
    synchronized boolean leave() {
      return --watchers == 0;
    }

    synchronized void bump() {
      version++;
      notifyAll();
    }

    synchronized long version() {
      return version;
    }

    synchronized void await(final long seen, final long millis) throws InterruptedException {
      final long deadline = System.nanoTime() + millis * 1_000_000;
      long left = millis;
      while (version == seen && left > 0) {
        wait(left);
        left = (deadline - System.nanoTime()) / 1_000_000;
      }
    }
  }
}
