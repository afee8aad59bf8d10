package dev.runledger.projections.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RunSignalsTest {
  private static final long LONG_WAIT_MS = 60_000;

  @Test
  void aWriteOfTheRunWakesItsStream() throws Exception {
    final RunSignals signals = new RunSignals();
    try (RunSignals.Watch watch = signals.watch("run-1")) {
      final long seen = watch.version();
      final CompletableFuture<Void> woke = awaitAsync(watch, seen);
      signals.written("run-2"); // another run: no effect
      signals.written("run-1");
      woke.get(LONG_WAIT_MS / 2, TimeUnit.MILLISECONDS); // would wait the full minute otherwise
      assertEquals(seen + 1, watch.version());
    }
  }

  @Test
  void aWriteBeforeTheWaitIsNotMissed() throws Exception {
    final RunSignals signals = new RunSignals();
    try (RunSignals.Watch watch = signals.watch("run-1")) {
      final long seen = watch.version();
      signals.written("run-1"); // between reading the events and waiting
      final CompletableFuture<Void> woke = awaitAsync(watch, seen);
      woke.get(LONG_WAIT_MS / 2, TimeUnit.MILLISECONDS);
    }
  }

  @Test
  void onlyRunsWithAnOpenStreamAreKept() {
    final RunSignals signals = new RunSignals();
    final RunSignals.Watch first = signals.watch("run-1");
    final RunSignals.Watch second = signals.watch("run-1");
    signals.written("run-9");
    assertEquals(1, signals.watched());
    first.close();
    assertEquals(1, signals.watched());
    second.close();
    assertEquals(0, signals.watched());
    signals.written("run-1");
    assertFalse(signals.watched() > 0);
  }

  private static CompletableFuture<Void> awaitAsync(final RunSignals.Watch watch, final long seen) {
    return CompletableFuture.runAsync(
        () -> {
          try {
            watch.await(seen, LONG_WAIT_MS);
          } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
  }
}
