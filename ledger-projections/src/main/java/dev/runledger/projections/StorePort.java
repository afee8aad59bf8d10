package dev.runledger.projections;

import dev.runledger.projections.fold.ViewStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The view stores a live processor was connected to, as a {@link NamedStorePort}. Each store is
 * opened when it is first asked for, so a processor asks only for those it holds.
 */
final class StorePort extends NamedStorePort {
  private final ProcessorContext<?, ?> context;
  private final Map<String, ViewStore<?>> open = new HashMap<>();

  StorePort(final ProcessorContext<?, ?> context) {
    this.context = context;
  }

  @SuppressWarnings("unchecked") // each name holds the value type its accessor names
  @Override
  protected <V> ViewStore<V> view(final String name) {
    return (ViewStore<V>)
        open.computeIfAbsent(
            name, n -> new Kv<>(context.<KeyValueStore<String, Object>>getStateStore(n)));
  }

  /** A Kafka Streams key-value store as a {@link ViewStore}. */
  private record Kv<V>(KeyValueStore<String, V> store) implements ViewStore<V> {
    @Override
    public V get(final String key) {
      return store.get(key);
    }

    @Override
    public void put(final String key, final V value) {
      store.put(key, value);
    }

    @Override
    public void delete(final String key) {
      store.delete(key);
    }

    @Override
    public List<String> range(final String from, final String to) {
      final List<String> keys = new ArrayList<>();
      try (KeyValueIterator<String, V> it = store.range(from, to)) {
        it.forEachRemaining(kv -> keys.add(kv.key));
      }
      return keys;
    }

    @Override
    public V last(final String from, final String to) {
      try (KeyValueIterator<String, V> it = store.reverseRange(from, to)) {
        return it.hasNext() ? it.next().value : null;
      }
    }
  }
}
