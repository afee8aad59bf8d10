package dev.runledger.orchestrator;

import dev.runledger.avro.HostEvent;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Drops events whose {@code event_id} was already seen within the dedupe window (SPEC §5.1): they
 * get a {@code duplicate} decision and nothing else. First-seen times are wall-clock milliseconds
 * in the {@value DispatchTopology#STORE_DEDUPE} window store, whose retention is the window, so old
 * ids expire segment by segment without a scan.
 */
final class DedupeProcessor implements Processor<String, HostEvent, Object, Object> {
  private final long windowMs;
  private ProcessorContext<Object, Object> context;
  private WindowStore<String, Long> seen;

  DedupeProcessor(final Duration window) {
    this.windowMs = window.toMillis();
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
    this.seen = context.getStateStore(DispatchTopology.STORE_DEDUPE);
  }

  @Override
  public void process(final Record<String, HostEvent> record) {
    final String eventId = record.key();
    final long now = context.currentSystemTimeMs();
    if (seenWithinWindow(eventId, now)) {
      context.forward(
          record.withValue(Decisions.duplicate(eventId, Instant.ofEpochMilli(now))),
          DispatchTopology.SINK_DECISIONS);
      return;
    }
    seen.put(eventId, now, now);
    context.forward(record, DispatchTopology.PROCESSOR_DISPATCH);
  }

  private boolean seenWithinWindow(final String eventId, final long now) {
    // The upper bound tolerates a wall clock that stepped back since the first sighting.
    try (WindowStoreIterator<Long> firstSeen =
        seen.fetch(eventId, Math.max(0, now - windowMs), now + windowMs)) {
      return firstSeen.hasNext();
    }
  }
}
