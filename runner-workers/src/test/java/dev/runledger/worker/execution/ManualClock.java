package dev.runledger.worker.execution;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that stands still until a test {@linkplain #advance advances} it. Thread-safe. */
final class ManualClock extends Clock {
  private volatile Instant now;

  ManualClock(final Instant start) {
    this.now = start;
  }

  synchronized void advance(final Duration duration) {
    now = now.plus(duration);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(final ZoneId zone) {
    throw new UnsupportedOperationException("a manual clock is in UTC");
  }
}
