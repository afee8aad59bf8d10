package dev.runledger.projections.fold;

import dev.runledger.avro.AttemptProgress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The highest accepted sequence per attempt, kept in {@code AgentRun.attempts}. */
final class AttemptLog {
  private AttemptLog() {}

  /** The highest sequence accepted from {@code attempt}, 0 when none was. */
  static long lastSequence(final List<AttemptProgress> log, final int attempt) {
    return log.stream()
        .filter(p -> p.getAttempt() == attempt)
        .mapToLong(AttemptProgress::getLastSequence)
        .findFirst()
        .orElse(0L);
  }

  /** A copy of the log, ordered by attempt, with {@code attempt} now at {@code sequence}. */
  static List<AttemptProgress> advance(
      final List<AttemptProgress> log, final int attempt, final long sequence) {
    final List<AttemptProgress> next = new ArrayList<>();
    log.stream()
        .filter(p -> p.getAttempt() != attempt)
        .map(p -> new AttemptProgress(p.getAttempt(), p.getLastSequence()))
        .forEach(next::add);
    next.add(new AttemptProgress(attempt, sequence));
    next.sort(Comparator.comparingInt(AttemptProgress::getAttempt));
    return next;
  }
}
