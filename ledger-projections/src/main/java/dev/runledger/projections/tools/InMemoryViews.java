package dev.runledger.projections.tools;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.projections.RunEventKeys;
import dev.runledger.projections.fold.FoldOutcome;
import dev.runledger.projections.fold.FoldResult;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.projections.fold.ViewFolds;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.projections.query.Digests;
import dev.runledger.projections.query.ViewDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The views folded in memory with the same folds as the live topology ({@link RunFold}, {@link
 * ViewFolds}), for {@code ledger rebuild}: feed it every ledger record, host event and decision in
 * topic order and compare its {@link #digests()} with the live ones.
 */
public final class InMemoryViews {
  private final Map<String, AgentRun> runs = new HashMap<>();
  private final TreeMap<String, AgentRunEvent> events = new TreeMap<>();
  private final Map<String, String> index = new HashMap<>();
  private final List<TranscriptItem> transcript = new ArrayList<>();
  private final Map<String, StateEntry> state = new HashMap<>();
  private final Map<String, DispatchDecision> decisions = new HashMap<>();

  /** Folds one ledger record at its offset; null is a cleanup tombstone of {@code runId}. */
  public void ledger(final String runId, final LedgerRecord record, final long offset) {
    if (record == null) {
      final AgentRun run = runs.remove(runId);
      if (run != null) {
        ViewKeys.indexKeys(run).forEach(index::remove);
        events.subMap(RunEventKeys.after(runId, 0), true, RunEventKeys.last(runId), true).clear();
      }
      return;
    }
    if (!record.getRunId().equals(runId)) {
      return; // a dead letter in the live topology
    }
    final AgentRun before = runs.get(runId);
    final FoldResult result = RunFold.apply(before, record, offset);
    runs.put(runId, result.run());
    if (before != null) {
      ViewKeys.indexKeys(before).forEach(index::remove);
    }
    ViewKeys.indexKeys(result.run()).forEach(k -> index.put(k, runId));
    result.event().ifPresent(e -> events.put(RunEventKeys.key(runId, e.getSeq()), e));
    if (result.outcome() == FoldOutcome.APPLIED) {
      ViewFolds.assistantMessage(result.run(), record).ifPresent(transcript::add);
      ViewFolds.stateUpdate(result.run(), record).ifPresent(this::state);
    }
  }

  /** Folds one host event. */
  public void hostEvent(final HostEvent event) {
    ViewFolds.userMessage(event).ifPresent(transcript::add);
  }

  /** Folds one decision; null is a tombstone. */
  public void decision(final String eventId, final DispatchDecision decision) {
    if (decision == null) {
      decisions.remove(eventId);
    } else if (decision.getEventId().equals(eventId)) {
      decisions.put(eventId, ViewFolds.applyDecision(decisions.get(eventId), decision));
    }
  }

  /** The digest of every view, by store name. */
  public Map<String, ViewDigest> digests() {
    final Map<String, ViewDigest> digests = new LinkedHashMap<>();
    ViewDigest d = ViewDigest.EMPTY;
    for (final Map.Entry<String, AgentRun> e : runs.entrySet()) {
      d = Digests.add(d, e.getKey(), e.getValue());
    }
    digests.put(ProjectionTopology.RUNS_STORE, d);
    d = ViewDigest.EMPTY;
    for (final Map.Entry<String, AgentRunEvent> e : events.entrySet()) {
      d = Digests.add(d, e.getKey(), e.getValue());
    }
    digests.put(ProjectionTopology.RUN_EVENTS_STORE, d);
    d = ViewDigest.EMPTY;
    for (final Map.Entry<String, String> e : index.entrySet()) {
      d = d.plus(e.getKey(), e.getValue());
    }
    digests.put(ProjectionTopology.RUNS_INDEX_STORE, d);
    d = ViewDigest.EMPTY;
    for (final TranscriptItem item : transcript) {
      d = Digests.addTranscript(d, item);
    }
    digests.put(ProjectionTopology.TRANSCRIPT_STORE, d);
    d = ViewDigest.EMPTY;
    for (final Map.Entry<String, StateEntry> e : state.entrySet()) {
      d = Digests.add(d, e.getKey(), e.getValue());
    }
    digests.put(ProjectionTopology.STATE_STORE, d);
    d = ViewDigest.EMPTY;
    for (final Map.Entry<String, DispatchDecision> e : decisions.entrySet()) {
      d = Digests.add(d, e.getKey(), e.getValue());
    }
    digests.put(ProjectionTopology.DECISIONS_STORE, d);
    return digests;
  }

  /** The runs folded so far. */
  public Map<String, AgentRun> runs() {
    return Map.copyOf(runs);
  }

  private void state(final StateEntry update) {
    final String key = ViewKeys.state(update.getScope(), update.getScopeId(), update.getKey());
    final Optional<StateEntry> next = ViewFolds.applyState(state.get(key), update);
    if (next.isPresent()) {
      state.put(key, next.get());
    } else {
      state.remove(key);
    }
  }
}
