package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.RunEventKeys;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.schemas.http.ApiException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** {@link RunQueries} over this instance's stores (the partitions it runs). */
public final class LocalRunQueries implements RunQueries {
  /** The order of the run indexes' entries in a listing: by key, descending. */
  private static final Comparator<KeyValue<String, String>> NEWEST_FIRST =
      Comparator.comparing((final KeyValue<String, String> kv) -> kv.key).reversed();

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
  public Optional<DispatchDecision> decision(final String workspaceId, final String eventId) {
    return read(
        () -> Optional.ofNullable(stores.decisions().get(ViewKeys.decision(workspaceId, eventId))));
  }

  @Override
  public RunPage runs(
      final String workspaceId,
      final RunFilter filter,
      final String afterPosition,
      final int limit) {
    final String prefix;
    if (filter.conversationId() != null) {
      prefix =
          ViewKeys.index(ViewKeys.BY_CONVERSATION, workspaceId) + filter.conversationId() + "/";
    } else if (filter.status() != null) {
      prefix = ViewKeys.index(ViewKeys.BY_STATUS, workspaceId) + filter.status() + "/";
    } else {
      prefix = ViewKeys.index(ViewKeys.BY_TIME, workspaceId);
    }
    final String upper = afterPosition == null ? prefix + ViewKeys.END : prefix + afterPosition;
    return read(
        () -> {
          final List<AgentRun> items = new ArrayList<>();
          String last = null;
          boolean more = false;
          // each partition's index in key order, merged newest first: reading a page costs its
          // own length (plus the runs a filter the index does not hold skips), not the index's
          final List<KeyValueIterator<String, String>> partitions = new ArrayList<>();
          try {
            for (final ReadOnlyKeyValueStore<String, String> index : stores.runsIndexPartitions()) {
              partitions.add(index.reverseRange(prefix, upper));
            }
            final Iterator<KeyValue<String, String>> entries =
                new SortedMerge<>(partitions, NEWEST_FIRST);
            while (entries.hasNext()) {
              final KeyValue<String, String> entry = entries.next();
              final String position = entry.key.substring(prefix.length());
              final AgentRun run =
                  position.equals(afterPosition) ? null : stores.runs().get(entry.value);
              if (run == null
                  || !workspaceId.equals(run.getWorkspaceId())
                  || !filter.matches(run)) {
                continue;
              }
              if (items.size() == limit) {
                more = true;
                break;
              }
              items.add(run);
              last = position;
            }
          } finally {
            partitions.forEach(KeyValueIterator::close);
          }
          return new RunPage(items, more ? Optional.of(last) : Optional.empty());
        });
  }

  @Override
  public TranscriptPage transcript(
      final String workspaceId,
      final String conversationId,
      final Long before,
      final Long after,
      final int limit) {
    final String conversation = ViewKeys.conversation(workspaceId, conversationId);
    final String from = ViewKeys.transcript(conversation, 0);
    final String to = ViewKeys.transcript(conversation, Long.MAX_VALUE);
    return read(
        () -> {
          final ReadOnlyKeyValueStore<String, TranscriptItem> store = stores.transcript();
          if (after != null) {
            final List<TranscriptItem> items = new ArrayList<>();
            boolean more = false;
            try (KeyValueIterator<String, TranscriptItem> it =
                store.range(ViewKeys.transcript(conversation, after + 1), to)) {
              while (it.hasNext() && !more) {
                final TranscriptItem item = it.next().value;
                if (items.size() < limit) {
                  items.add(item);
                } else {
                  more = true;
                }
              }
            }
            if (items.isEmpty()) {
              return new TranscriptPage(items, false, OptionalLong.of(lastSeq(store, from, to)));
            }
            return new TranscriptPage(items, more);
          }
          final String upper =
              before == null ? to : ViewKeys.transcript(conversation, Math.max(0, before - 1));
          final Deque<TranscriptItem> items = new ArrayDeque<>();
          boolean more = false;
          try (KeyValueIterator<String, TranscriptItem> it = store.reverseRange(from, upper)) {
            while (it.hasNext() && !more) {
              final TranscriptItem item = it.next().value;
              if (before != null && item.getSeq() >= before) {
                continue;
              }
              if (items.size() < limit) {
                items.addFirst(item);
              } else {
                more = true;
              }
            }
          }
          return new TranscriptPage(new ArrayList<>(items), more);
        });
  }

  /** The seq of the last transcript item between {@code from} and {@code to}, or 0. */
  private static long lastSeq(
      final ReadOnlyKeyValueStore<String, TranscriptItem> store,
      final String from,
      final String to) {
    try (KeyValueIterator<String, TranscriptItem> it = store.reverseRange(from, to)) {
      return it.hasNext() ? it.next().value.getSeq() : 0;
    }
  }

  @Override
  public List<TranscriptItem> search(
      final String workspaceId, final String conversationId, final String query, final int topK) {
    final String conversation = ViewKeys.conversation(workspaceId, conversationId);
    final String needle = query.toLowerCase(Locale.ROOT).strip();
    final List<String> tokens = List.of(needle.split("\\s+"));
    return read(
        () -> {
          final List<Scored> scored = new ArrayList<>();
          try (KeyValueIterator<String, TranscriptItem> it =
              stores
                  .transcript()
                  .range(
                      ViewKeys.transcript(conversation, 0),
                      ViewKeys.transcript(conversation, Long.MAX_VALUE))) {
            it.forEachRemaining(
                kv -> {
                  final String text = kv.value.getContent().toLowerCase(Locale.ROOT);
                  int score = text.contains(needle) ? tokens.size() + 1 : 0;
                  for (final String token : tokens) {
                    if (!token.isEmpty() && text.contains(token)) {
                      score++;
                    }
                  }
                  if (score > 0) {
                    scored.add(new Scored(kv.value, score));
                  }
                });
          }
          return scored.stream()
              .sorted(
                  Comparator.comparingInt(Scored::score)
                      .thenComparingLong(s -> s.item().getSeq())
                      .reversed())
              .limit(topK)
              .map(Scored::item)
              .toList();
        });
  }

  @Override
  public Optional<StateEntry> state(
      final String workspaceId, final String scope, final String scopeId, final String key) {
    return read(
        () ->
            Optional.ofNullable(
                stores.state().get(ViewKeys.state(workspaceId, scope, scopeId, key))));
  }

  @Override
  public StatePage states(
      final String workspaceId,
      final String scope,
      final String scopeId,
      final String prefix,
      final String afterKey,
      final int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    final String from = ViewKeys.state(workspaceId, scope, scopeId, prefix == null ? "" : prefix);
    final String after =
        afterKey == null ? null : ViewKeys.state(workspaceId, scope, scopeId, afterKey);
    final String lower = after != null && after.compareTo(from) > 0 ? after : from;
    return read(
        () -> {
          final List<StateEntry> items = new ArrayList<>();
          boolean more = false;
          // one scope lives in one partition, so its keys come in order
          try (KeyValueIterator<String, StateEntry> it =
              stores.state().range(lower, from + ViewKeys.END)) {
            while (it.hasNext()) {
              final KeyValue<String, StateEntry> kv = it.next();
              if (kv.key.equals(after)
                  || !workspaceId.equals(kv.value.getWorkspaceId())
                  || !kv.value.getScope().equals(scope)
                  || !kv.value.getScopeId().equals(scopeId)) {
                continue;
              }
              if (items.size() == limit) {
                more = true;
                break;
              }
              items.add(kv.value);
            }
          }
          return new StatePage(
              items, more ? Optional.of(items.get(items.size() - 1).getKey()) : Optional.empty());
        });
  }

  @Override
  public Map<String, ViewDigest> digests() {
    return read(
        () -> {
          final Map<String, ViewDigest> digests = new LinkedHashMap<>();
          for (final String view : Digests.VIEWS) {
            digests.put(view, digest(view));
          }
          return digests;
        });
  }

  private ViewDigest digest(final String view) {
    ViewDigest digest = ViewDigest.EMPTY;
    try (KeyValueIterator<String, Object> it = stores.<Object>store(view).all()) {
      while (it.hasNext()) {
        final KeyValue<String, Object> kv = it.next();
        digest = Digests.add(digest, view, kv.key, kv.value);
      }
    }
    return digest;
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

  private record Scored(TranscriptItem item, int score) {}
}
