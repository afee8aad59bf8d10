package dev.runledger.worker.execution;

import dev.runledger.avro.LivenessPhase;
import java.time.Instant;

/**
 * How a claimed attempt starts, decided when its claim is written: failed at once (poison, a runner
 * not hosted here), cancelled before its runner started, past its deadline already, or running its
 * runner. Only the last has a liveness phase, and the claim carries it ({@code RunClaimed.phase}).
 */
enum AttemptStart {
  FAIL,
  CANCEL,
  EXPIRE,
  RUN;

  /** In that order of precedence. */
  static AttemptStart of(
      final boolean failFast, final boolean cancelled, final Instant now, final Instant deadline) {
    if (failFast) {
      return FAIL;
    }
    if (cancelled) {
      return CANCEL;
    }
    return now.isBefore(deadline) ? RUN : EXPIRE;
  }

  /** The claim's phase: {@code waiting_runner} when the runner runs, else none. */
  LivenessPhase firstPhase() {
    return this == RUN ? LivenessPhase.WAITING_RUNNER : null;
  }
}
