package dev.runledger.projections.tools;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.projections.fold.MemoryStore;
import dev.runledger.projections.fold.MemoryViews;
import dev.runledger.projections.fold.Projector;
import dev.runledger.projections.query.Digests;
import dev.runledger.projections.query.ViewDigest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The views kept in memory by the same {@link Projector} as the live topology, for {@code ledger
 * rebuild}: feed it every ledger record, host event and decision in topic order and compare its
 * {@link #digests()} with the live ones. Where the live topology repartitions a transcript item or
 * a state update first, this applies it at once.
 */
final class InMemoryViews {
  private final MemoryViews stores = new MemoryViews();
  private final Projector projector = new Projector(stores);

  /** Folds one ledger record at its offset; null is a cleanup tombstone of {@code runId}. */
  void ledger(final String runId, final LedgerRecord record, final long offset) {
    if (record == null) {
      projector.remove(runId);
      return;
    }
    projector
        .ledger(runId, record, offset)
        .ifPresent(
            projected -> {
              projected.message().ifPresent(projector::transcript);
              projected.stateUpdate().ifPresent(projector::state);
            });
  }

  /** Folds one host event. */
  void hostEvent(final HostEvent event) {
    projector.hostEvent(event).ifPresent(projector::transcript);
  }

  /** Folds one decision read under its key; null is a tombstone. */
  void decision(final String key, final DispatchDecision decision) {
    projector.decision(key, decision);
  }

  /** The digest of every view, by store name. */
  Map<String, ViewDigest> digests() {
    final Map<String, MemoryStore<?>> byName =
        Map.of(
            ProjectionTopology.RUNS_STORE, stores.runs(),
            ProjectionTopology.RUN_EVENTS_STORE, stores.runEvents(),
            ProjectionTopology.RUNS_INDEX_STORE, stores.runsIndex(),
            ProjectionTopology.TRANSCRIPT_STORE, stores.transcript(),
            ProjectionTopology.STATE_STORE, stores.state(),
            ProjectionTopology.DECISIONS_STORE, stores.decisions());
    final Map<String, ViewDigest> digests = new LinkedHashMap<>();
    for (final String view : Digests.VIEWS) {
      ViewDigest digest = ViewDigest.EMPTY;
      for (final Map.Entry<String, ?> e : byName.get(view).entries().entrySet()) {
        digest = Digests.add(digest, view, e.getKey(), e.getValue());
      }
      digests.put(view, digest);
    }
    return digests;
  }
}
