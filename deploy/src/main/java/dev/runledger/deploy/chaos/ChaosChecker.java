package dev.runledger.deploy.chaos;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCreated;
import dev.runledger.projections.fold.FoldOutcome;
import dev.runledger.projections.fold.FoldResult;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.projections.tools.LedgerVerifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The Jepsen-like checker of {@code ledger chaos}: fed every accepted host event, dispatch decision
 * and ledger record in topic order, it names each anomaly of a history. Runs are folded by {@link
 * RunFold} (the fold the live views and {@code rebuild} use) and the ledger's invariants are those
 * of {@link LedgerVerifier} ({@code verify}); what they break is sorted into the anomaly kinds:
 *
 * <ul>
 *   <li>{@value #LOST}: an accepted event without a decision;
 *   <li>{@value #DOUBLED}: an event with two {@code run_created} decisions for one binding, two
 *       runs created for one event, or a run created twice;
 *   <li>{@value #UNENDED}: a created run without an applied terminal;
 *   <li>{@value #DOUBLE_TERMINAL}: a run with two applied terminals, or an attempt with two;
 *   <li>{@value #OUT_OF_ORDER}: an attempt's sequences not gapless and increasing;
 *   <li>{@value #FENCED_APPLIED}: a worker record of an attempt that a later claim superseded,
 *       applied;
 *   <li>{@value #UNSEEN}: a run whose view has fewer events than the fold applied, or a decision
 *       the views lack;
 *   <li>{@value #DIGEST_MISMATCH}: a view whose rebuilt digest differs from the live one;
 *   <li>{@value #VERIFY}: every violation {@code verify} reports (including the cancel rules).
 * </ul>
 *
 * Each anomaly is counted once per subject (event, run or view).
 */
public final class ChaosChecker {
  public static final String LOST = "lost";
  public static final String DOUBLED = "doubled";
  public static final String UNENDED = "unended";
  public static final String DOUBLE_TERMINAL = "double_terminal";
  public static final String OUT_OF_ORDER = "out_of_order";
  public static final String FENCED_APPLIED = "fenced_applied";
  public static final String UNSEEN = "unseen";
  public static final String DIGEST_MISMATCH = "digest_mismatch";
  public static final String VERIFY = "verify";

  /** Every anomaly kind, in report order. */
  public static final List<String> KINDS =
      List.of(
          LOST,
          DOUBLED,
          UNENDED,
          DOUBLE_TERMINAL,
          OUT_OF_ORDER,
          FENCED_APPLIED,
          UNSEEN,
          DIGEST_MISMATCH,
          VERIFY);

  /** What the checker asks of the live views (the projections' HTTP API). */
  public interface Views {
    /** The {@code event_count} of the run's view, empty when the views have no such run. */
    OptionalLong eventCount(String runId);

    /** Whether the views hold a decision for the event. */
    boolean hasDecision(String workspaceId, String eventId);
  }

  /**
   * The checker's verdict.
   *
   * @param anomalies count per kind ({@link #KINDS}, all present)
   * @param examples up to a few subjects per kind with anomalies
   * @param events accepted events (distinct)
   * @param runs created runs
   */
  public record Result(
      Map<String, Integer> anomalies, Map<String, List<String>> examples, long events, long runs) {
    public boolean clean() {
      return anomalies.values().stream().allMatch(c -> c == 0);
    }
  }

  private static final int EXAMPLES = 5;

  private final LedgerVerifier verifier = new LedgerVerifier();
  private final Map<String, String[]> events = new LinkedHashMap<>();
  private final Map<String, List<DispatchDecision>> decisions = new HashMap<>();
  private final Map<String, AgentRun> runs = new LinkedHashMap<>();
  private final Map<String, Long> appended = new HashMap<>();
  private final Map<String, Integer> claimedAttempt = new HashMap<>();
  private final Map<String, Set<String>> runsOfEvent = new HashMap<>();
  private final Set<String> created = new LinkedHashSet<>();
  private final Set<String> fencedApplied = new LinkedHashSet<>();

  /** Notes one event accepted onto the ingest topic. */
  public void hostEvent(final HostEvent event) {
    final String key = ViewKeys.decision(event.getWorkspaceId(), event.getEventId());
    events.putIfAbsent(key, new String[] {event.getWorkspaceId(), event.getEventId()});
  }

  /** Notes one dispatch decision under its key ({@code workspace_id/event_id}). */
  public void decision(final String key, final DispatchDecision decision) {
    if (decision == null) {
      return;
    }
    decisions.computeIfAbsent(key, k -> new ArrayList<>()).add(decision);
    verifier.decision(key, decision);
  }

  /** Notes one ledger record (null: a cleanup tombstone of run {@code key}). */
  public void ledger(
      final String key, final LedgerRecord record, final int partition, final long offset) {
    verifier.ledger(key, record, partition, offset);
    if (record == null) {
      runs.remove(key);
      appended.remove(key);
      claimedAttempt.remove(key);
      created.remove(key);
      return;
    }
    final String runId = record.getRunId();
    if (record.getBody() instanceof RunCreated body) {
      created.add(runId);
      final String event = ViewKeys.decision(body.getWorkspaceId(), body.getEventId());
      events.putIfAbsent(event, new String[] {body.getWorkspaceId(), body.getEventId()});
      runsOfEvent.computeIfAbsent(event, k -> new LinkedHashSet<>()).add(runId);
    }
    final int claimed = claimedAttempt.getOrDefault(runId, 0);
    final FoldResult result = RunFold.apply(runs.get(runId), record, offset);
    runs.put(runId, result.run());
    if (result.outcome().appended()) {
      appended.merge(runId, 1L, Long::sum);
    }
    if (record.getAttempt() > 0
        && record.getAttempt() < claimed
        && result.outcome() == FoldOutcome.APPLIED) {
      fencedApplied.add(runId);
    }
    if (record.getBody() instanceof RunClaimed) {
      claimedAttempt.merge(runId, record.getAttempt(), Math::max);
    }
  }

  /**
   * The anomalies of what was fed, against the live views and the digests.
   *
   * @param views the live views
   * @param rebuilt the rebuilt digest of every view, as the rebuild command computes it
   * @param live the live digest text of every view ({@code GET /v1/views/digests})
   */
  public Result check(
      final Views views, final Map<String, ViewDigest> rebuilt, final Map<String, String> live) {
    final Map<String, Set<String>> found = new LinkedHashMap<>();
    KINDS.forEach(k -> found.put(k, new LinkedHashSet<>()));
    events.forEach(
        (key, event) -> {
          if (!decisions.containsKey(key)) {
            found.get(LOST).add(key);
          } else if (!views.hasDecision(event[0], event[1])) {
            found.get(UNSEEN).add(key);
          }
        });
    runsOfEvent.forEach(
        (key, ids) -> {
          if (ids.size() > 1) {
            found.get(DOUBLED).add(key);
          }
        });
    decisions.forEach(
        (key, list) -> {
          final Set<String> bindings = new HashSet<>();
          for (final DispatchDecision d : list) {
            if (d.getDecision() == Decision.RUN_CREATED
                && !bindings.add(String.valueOf(d.getBindingId()))) {
              found.get(DOUBLED).add(key);
            }
          }
        });
    for (final LedgerVerifier.Violation v : verifier.violations()) {
      found.get(VERIFY).add(v.text());
      final String kind = kindOf(v.rule());
      if (kind != null) {
        found.get(kind).add(v.runId());
      }
    }
    for (final String runId : created) {
      final AgentRun run = runs.get(runId);
      if (run == null || !RunFold.isTerminal(run.getStatus())) {
        found.get(UNENDED).add(runId);
      }
    }
    found.get(FENCED_APPLIED).addAll(fencedApplied);
    runs.forEach(
        (runId, run) -> {
          final long expected = appended.getOrDefault(runId, 0L);
          final OptionalLong seen = views.eventCount(runId);
          if (expected > 0 && (seen.isEmpty() || seen.getAsLong() < expected)) {
            found.get(UNSEEN).add(runId);
          }
        });
    rebuilt.forEach(
        (view, digest) -> {
          if (!digest.text().equals(live.get(view))) {
            found.get(DIGEST_MISMATCH).add(view);
          }
        });
    final Map<String, Integer> counts = new LinkedHashMap<>();
    final Map<String, List<String>> examples = new LinkedHashMap<>();
    found.forEach(
        (kind, subjects) -> {
          counts.put(kind, subjects.size());
          if (!subjects.isEmpty()) {
            examples.put(kind, subjects.stream().limit(EXAMPLES).toList());
          }
        });
    return new Result(counts, examples, events.size(), created.size());
  }

  /**
   * The anomaly kind of a {@code verify} rule, null for one only {@value #VERIFY} counts (the
   * decision rules are checked per event above, so an event is counted once).
   */
  static String kindOf(final String rule) {
    return switch (rule) {
      case "run.created.repeated" -> DOUBLED;
      case "terminal.applied_twice", "terminal.repeated_in_attempt" -> DOUBLE_TERMINAL;
      case "sequence.gap", "sequence.not_increasing" -> OUT_OF_ORDER;
      default -> null;
    };
  }
}
