package dev.runledger.projections.tools;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.Projection;
import dev.runledger.projections.fold.Projector;
import dev.runledger.projections.query.Digests;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.config.StreamsMemory;
import dev.runledger.schemas.serde.LedgerSerdes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The views of {@code ledger rebuild}, folded by the same {@link Projector} as the live topology
 * into temporary on-disk stores ({@link DiskViews}), so the heap it needs does not grow with the
 * ledger: feed it every ledger record, host event and decision in topic order and compare its
 * {@link #digests()} with the live ones. What a projection passes on ({@link Projection#passOn}),
 * which the live topology repartitions first, this applies at once. Closing it deletes the stores.
 */
final class RebuildViews implements AutoCloseable {
  private final DiskViews stores;
  private final Projector projector;

  /** What the live topology repartitions first, applied at once; no deliveries. */
  private final Projection.Downstream atOnce =
      new Projection.Downstream() {
        @Override
        public void transcript(final TranscriptItem item) {
          projector.transcript(item);
        }

        @Override
        public void state(final StateEntry update) {
          projector.state(update);
        }
      };

  private RebuildViews(final DiskViews stores) {
    this.stores = stores;
    this.projector = new Projector(stores);
  }

  /**
   * Empty views in a new directory under {@code parent}.
   *
   * @param serdes encode the views' values, as in the live stores
   * @param budget the RocksDB block cache and memtable budget all the stores share
   */
  static RebuildViews create(
      final Path parent, final LedgerSerdes serdes, final StreamsMemory.Budget budget) {
    return new RebuildViews(DiskViews.create(parent, serdes, budget));
  }

  /** Folds one ledger record at its offset; null is a cleanup tombstone of {@code runId}. */
  void ledger(final String runId, final LedgerRecord record, final long offset) {
    if (record == null) {
      projector.remove(runId);
      return;
    }
    projector.ledger(runId, record, offset).ifPresent(projected -> projected.passOn(atOnce));
  }

  /** Folds one host event. */
  void hostEvent(final HostEvent event) {
    projector.hostEvent(event).ifPresent(atOnce::transcript);
  }

  /** Folds one decision read under its key; null is a tombstone. */
  void decision(final String key, final DispatchDecision decision) {
    projector.decision(key, decision);
  }

  /** The digest of every view, by store name, each read from its store in key order. */
  Map<String, ViewDigest> digests() {
    final Map<String, ViewDigest> digests = new LinkedHashMap<>();
    for (final String view : Digests.VIEWS) {
      digests.put(view, stores.store(view).digest(view));
    }
    return digests;
  }

  /** The directory the stores are in (deleted by {@link #close}). */
  Path dir() {
    return stores.dir();
  }

  @Override
  public void close() {
    stores.close();
  }
}
