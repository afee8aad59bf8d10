package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.projections.RunEventKeys;
import dev.runledger.schemas.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * {@link RunQueries} over this instance's stores. Single instance for now: a key owned by another
 * instance reads as unknown here.
 */
public final class LocalRunQueries implements RunQueries {
  private final ViewStores stores;

  public LocalRunQueries(final ViewStores stores) {
    this.stores = stores;
  }

  @Override
  public Optional<AgentRun> run(final String runId) {
    return read(() -> Optional.ofNullable(stores.runs().get(runId)));
  }

  @Override
  public Optional<EventPage> events(final String runId, final long after, final int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    return read(
        () ->
            stores.runs().get(runId) == null
                ? Optional.empty()
                : Optional.of(page(runId, after, limit)));
  }

  @Override
  public Optional<DispatchDecision> decision(final String eventId) {
    return read(() -> Optional.ofNullable(stores.decisions().get(eventId)));
  }

  private EventPage page(final String runId, final long after, final int limit) {
    final List<AgentRunEvent> items = new ArrayList<>();
    boolean more = false;
    try (KeyValueIterator<String, AgentRunEvent> it =
        stores.runEvents().range(RunEventKeys.after(runId, after), RunEventKeys.last(runId))) {
      while (it.hasNext() && !more) {
        final AgentRunEvent event = it.next().value;
        if (items.size() < limit) {
          items.add(event);
        } else {
          more = true;
        }
      }
    }
    final OptionalLong next =
        more ? OptionalLong.of(items.get(items.size() - 1).getSeq()) : OptionalLong.empty();
    return new EventPage(items, next);
  }

  private static <T> T read(final Supplier<T> query) {
    try {
      return query.get();
    } catch (final InvalidStateStoreException e) {
      throw new ApiException(
          503,
          "unavailable",
          "the projection stores cannot be read right now ("
              + e.getMessage()
              + "); retry in a moment");
    }
  }
}
