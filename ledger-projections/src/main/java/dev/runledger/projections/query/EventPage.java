package dev.runledger.projections.query;

import dev.runledger.avro.AgentRunEvent;
import java.util.List;
import java.util.OptionalLong;

/**
 * One page of a run's events.
 *
 * @param items the events, in {@code seq} order
 * @param nextAfter the {@code seq} to continue after, when more events exist now; empty at the end
 */
public record EventPage(List<AgentRunEvent> items, OptionalLong nextAfter) {
  public EventPage {
    items = List.copyOf(items);
  }
}
