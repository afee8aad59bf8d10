package dev.runledger.orchestrator.topology;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.orchestrator.dispatch.Decisions;
import dev.runledger.schemas.metrics.LedgerMeters;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Drops events already decided within the dedupe window (ARCHITECTURE.md §6.1), by their key {@code
 * workspace_id/event_id} (two workspaces that choose the same event id are two events): they get a
 * {@code duplicate} decision naming the original decision's run and binding, and nothing else. When
 * the lookup itself fails the event is decided as failed ({@link FailedDispatch}) through the same
 * outlet. Decisions are kept by the conversation processor in the {@value
 * DispatchTopology#STORE_DECISIONS} window store (window start = wall-clock ms of the decision),
 * whose retention is the window, so old ids expire segment by segment without a scan.
 */
final class DedupeProcessor implements Processor<String, HostEvent, String, SpecificRecord> {
  private final long windowMs;
  private final Outlet<String, DispatchDecision> duplicates;
  private final Outlet<String, HostEvent> fresh;
  private ProcessorContext<String, SpecificRecord> context;
  private WindowStore<String, DispatchDecision> decided;

  /**
   * Sends a duplicate's (or a failed lookup's) decision to {@code duplicates} and every other event
   * to {@code fresh}.
   */
  DedupeProcessor(
      final Duration window,
      final Outlet<String, DispatchDecision> duplicates,
      final Outlet<String, HostEvent> fresh) {
    this.windowMs = window.toMillis();
    this.duplicates = duplicates;
    this.fresh = fresh;
  }

  @Override
  public void init(final ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.decided = context.getStateStore(DispatchTopology.STORE_DECISIONS);
  }

  @Override
  public void process(final Record<String, HostEvent> record) {
    final Optional<DispatchDecision> duplicate;
    try {
      duplicate = duplicateOf(record.key(), record.value());
    } catch (final RuntimeException e) {
      FailedDispatch.decide(
          context, duplicates, decided, "deduplicating", record.value(), record.timestamp(), e);
      throw e;
    }
    if (duplicate.isPresent()) {
      duplicates.forward(context, record.withValue(duplicate.get()));
      LedgerMeters.eventDecided(duplicate.get().getDecision(), duplicate.get().getReason());
    } else {
      fresh.forward(context, record);
    }
  }

  /**
   * The {@code duplicate} decision of {@code event} (keyed {@code key}), or empty when it is new.
   */
  private Optional<DispatchDecision> duplicateOf(final String key, final HostEvent event) {
    final long now = context.currentSystemTimeMs();
    return latest(key, now)
        .map(original -> Decisions.duplicateOf(event, original, Instant.ofEpochMilli(now)));
  }

  private Optional<DispatchDecision> latest(final String key, final long now) {
    // The upper bound tolerates a wall clock that stepped back since the decision.
    DispatchDecision last = null;
    try (WindowStoreIterator<DispatchDecision> found =
        decided.fetch(key, Math.max(0, now - windowMs), now + windowMs)) {
      while (found.hasNext()) {
        last = found.next().value;
      }
    }
    return Optional.ofNullable(last);
  }
}
