package dev.runledger.projections.fold;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/** A view store in a sorted map, for the fold tests. */
public final class MemoryStore<V> implements ViewStore<V> {
  private final NavigableMap<String, V> entries = new TreeMap<>();

  @Override
  public V get(final String key) {
    return entries.get(key);
  }

  @Override
  public void put(final String key, final V value) {
    entries.put(key, value);
  }

  @Override
  public void delete(final String key) {
    entries.remove(key);
  }

  @Override
  public List<String> range(final String from, final String to) {
    return List.copyOf(entries.subMap(from, true, to, true).keySet());
  }

  @Override
  public V last(final String from, final String to) {
    final Map.Entry<String, V> last = entries.subMap(from, true, to, true).lastEntry();
    return last == null ? null : last.getValue();
  }

  /** Every entry, by key. */
  public Map<String, V> entries() {
    return Collections.unmodifiableMap(entries);
  }
}
