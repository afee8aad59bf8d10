package dev.runledger.worker.execution;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.Results;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When an attempt's runner last showed activity, on the worker's clock. A host-API call counts as
 * activity for as long as it is in flight. Thread-safe.
 */
final class Inactivity {
  private final Clock clock;
  private final Duration timeout;
  private final AtomicInteger callsInFlight = new AtomicInteger();
  private volatile Instant lastActivity;

  Inactivity(final Clock clock, final Duration timeout) {
    this.clock = clock;
    this.timeout = timeout;
    this.lastActivity = clock.instant();
  }

  /** The runner did something now. */
  void touch() {
    lastActivity = clock.instant();
  }

  /** {@code api}, with each call counted as activity. */
  HostApi counting(final HostApi api) {
    return new HostApi() {
      @Override
      public JsonNode call(final String method, final JsonNode params) {
        callsInFlight.incrementAndGet();
        touch();
        try {
          return api.call(method, params);
        } finally {
          touch();
          callsInFlight.decrementAndGet();
        }
      }

      /** A refused call is no activity. */
      @Override
      public void refused(final String method, final String resource) {
        api.refused(method, resource);
      }
    };
  }

  /** How often to {@linkplain #stalled check}: a quarter of the timeout, within 50 ms..1 s. */
  Duration checkPeriod() {
    return Duration.ofMillis(Math.max(50, Math.min(1000, timeout.toMillis() / 4)));
  }

  /** The {@code runner-stalled} failure once the runner was idle for the timeout. */
  Optional<AgentRunResult> stalled() {
    if (callsInFlight.get() > 0) {
      return Optional.empty();
    }
    final Duration idle = Duration.between(lastActivity, clock.instant());
    if (idle.compareTo(timeout) < 0) {
      return Optional.empty();
    }
    return Optional.of(
        Results.failed(
            FailureCodes.RUNNER_STALLED,
            "the runner produced nothing for "
                + idle.toMillis()
                + " ms (inactivity timeout "
                + timeout.toMillis()
                + " ms)",
            false));
  }
}
