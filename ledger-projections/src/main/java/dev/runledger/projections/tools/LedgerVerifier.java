package dev.runledger.projections.tools;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunFailed;
import dev.runledger.projections.fold.FoldOutcome;
import dev.runledger.projections.fold.FoldResult;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.projections.fold.ViewKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the ledger's invariants (ARCHITECTURE.md §8.5) over records fed in topic order: one {@code
 * RunCreated} per run; per run and attempt, sequences start at 1 and increase by exactly 1; at most
 * one applied terminal per run (as {@link RunFold} applies them) and at most one terminal per
 * attempt; every accepted event (the event of a {@code RunCreated}) has a dispatch decision, and no
 * event has two {@code run_created} decisions for one binding; and the cancel story
 * (ARCHITECTURE.md §6.5): the orchestrator never ends a run as {@code cancelled} after a {@code
 * run.claimed} of it ({@value #CANCEL_AFTER_CLAIM}), and a {@code run.failed{cancelled}} never
 * comes before the run's {@code cancel.requested} ({@value #CANCEL_BEFORE_REQUEST}: one that a
 * {@code cancel.requested} follows, or a run's first terminal with none before it). A cleanup
 * tombstone forgets what was known of its run.
 */
public final class LedgerVerifier {
  /** The orchestrator's {@code run.failed{cancelled}} after a {@code run.claimed} of the run. */
  public static final String CANCEL_AFTER_CLAIM = "cancel.after_claim";

  /** A {@code run.failed{cancelled}} before the run's {@code cancel.requested}. */
  public static final String CANCEL_BEFORE_REQUEST = "cancel.before_request";

  private static final String ORCHESTRATOR = "orchestrator";
  private static final String CANCELLED = "cancelled";

  /**
   * One broken invariant.
   *
   * @param rule short name of the invariant
   * @param runId the run (or event id for decision rules)
   * @param partition ledger partition, -1 for decision rules
   * @param offset ledger offset, -1 for decision rules
   * @param detail what was seen
   */
  public record Violation(String rule, String runId, int partition, long offset, String detail) {
    public String text() {
      return rule
          + " run="
          + runId
          + (partition >= 0 ? " partition=" + partition + " offset=" + offset : "")
          + ": "
          + detail;
    }
  }

  private final Map<String, AgentRun> runs = new HashMap<>();
  private final Map<String, Integer> created = new HashMap<>();
  private final Map<String, Long> lastSequence = new HashMap<>();
  private final Map<String, Integer> appliedTerminals = new HashMap<>();
  private final Set<String> attemptTerminals = new HashSet<>();
  private final Map<String, String> acceptedEvents = new HashMap<>();
  private final Map<String, List<DispatchDecision>> decisions = new HashMap<>();
  private final Set<String> claimed = new HashSet<>();
  private final Set<String> cancelRequested = new HashSet<>();
  private final Map<String, Long> unrequestedCancel = new HashMap<>();
  private final List<Violation> violations = new ArrayList<>();

  /** Checks one ledger record (null: a cleanup tombstone of {@code key}). */
  public void ledger(
      final String key, final LedgerRecord record, final int partition, final long offset) {
    if (record == null) {
      forget(key);
      return;
    }
    final String runId = record.getRunId();
    if (record.getBody() instanceof RunCreated body) {
      final int count = created.merge(runId, 1, Integer::sum);
      if (count > 1) {
        violations.add(
            new Violation("run.created.repeated", runId, partition, offset, count + " RunCreated"));
      }
      acceptedEvents.put(ViewKeys.decision(body.getWorkspaceId(), body.getEventId()), runId);
    }
    final String attemptKey = runId + "#" + record.getAttempt();
    final long expected = lastSequence.getOrDefault(attemptKey, 0L) + 1;
    if (record.getSequence() != expected) {
      violations.add(
          new Violation(
              record.getSequence() > expected ? "sequence.gap" : "sequence.not_increasing",
              runId,
              partition,
              offset,
              "attempt "
                  + record.getAttempt()
                  + " sequence "
                  + record.getSequence()
                  + ", expected "
                  + expected));
    }
    lastSequence.merge(attemptKey, record.getSequence(), Math::max);
    if (RunFold.isTerminal(record) && !attemptTerminals.add(attemptKey)) {
      violations.add(
          new Violation(
              "terminal.repeated_in_attempt",
              runId,
              partition,
              offset,
              "attempt " + record.getAttempt() + " wrote a second terminal record"));
    }
    final FoldResult result = RunFold.apply(runs.get(runId), record, offset);
    runs.put(runId, result.run());
    if (RunFold.isTerminal(record) && result.outcome() == FoldOutcome.APPLIED) {
      final int count = appliedTerminals.merge(runId, 1, Integer::sum);
      if (count > 1) {
        violations.add(
            new Violation(
                "terminal.applied_twice", runId, partition, offset, count + " terminals"));
      }
    }
    cancelStory(record, partition, offset);
  }

  /** The two cancel rules of the class comment. */
  private void cancelStory(final LedgerRecord record, final int partition, final long offset) {
    final String runId = record.getRunId();
    if (record.getBody() instanceof RunClaimed) {
      claimed.add(runId);
    } else if (record.getBody() instanceof CancelRequested) {
      final Long early = unrequestedCancel.remove(runId);
      if (cancelRequested.add(runId) && early != null) {
        violations.add(
            new Violation(
                CANCEL_BEFORE_REQUEST,
                runId,
                partition,
                early,
                "run.failed{cancelled} at offset " + early + " precedes this cancel.requested"));
      }
    } else if (isCancelled(record)) {
      if (record.getAttempt() == 0
          && ORCHESTRATOR.equals(record.getProducer())
          && claimed.contains(runId)) {
        violations.add(
            new Violation(
                CANCEL_AFTER_CLAIM,
                runId,
                partition,
                offset,
                "the orchestrator ended the run as cancelled after a worker's run.claimed"));
      }
      if (!cancelRequested.contains(runId)) {
        unrequestedCancel.putIfAbsent(runId, offset);
      }
    }
  }

  private static boolean isCancelled(final LedgerRecord record) {
    return record.getBody() instanceof AgentRunResult result
        && result.getPayload() instanceof RunFailed failed
        && CANCELLED.equals(failed.getCode());
  }

  /** Notes one dispatch decision read under its key ({@code workspace_id/event_id}). */
  public void decision(final String key, final DispatchDecision decision) {
    if (decision != null) {
      decisions.computeIfAbsent(key, k -> new ArrayList<>()).add(decision);
    }
  }

  /** Every violation, ledger ones in topic order, then decision ones. */
  public List<Violation> violations() {
    final List<Violation> all = new ArrayList<>(violations);
    acceptedEvents.forEach(
        (eventId, runId) -> {
          if (!decisions.containsKey(eventId)) {
            all.add(
                new Violation(
                    "decision.missing", runId, -1, -1, "event " + eventId + " has no decision"));
          }
        });
    decisions.forEach(
        (eventId, list) -> {
          final Map<String, Integer> perBinding = new HashMap<>();
          for (final DispatchDecision d : list) {
            if (d.getDecision() == Decision.RUN_CREATED
                && perBinding.merge(String.valueOf(d.getBindingId()), 1, Integer::sum) == 2) {
              all.add(
                  new Violation(
                      "decision.repeated",
                      String.valueOf(d.getRunId()),
                      -1,
                      -1,
                      "event " + eventId + " has two run_created decisions for one binding"));
            }
          }
        });
    return all;
  }

  private void forget(final String runId) {
    runs.remove(runId);
    created.remove(runId);
    appliedTerminals.remove(runId);
    lastSequence.keySet().removeIf(k -> k.startsWith(runId + "#"));
    attemptTerminals.removeIf(k -> k.startsWith(runId + "#"));
    acceptedEvents.values().removeIf(runId::equals);
    claimed.remove(runId);
    cancelRequested.remove(runId);
    unrequestedCancel.remove(runId);
  }
}
