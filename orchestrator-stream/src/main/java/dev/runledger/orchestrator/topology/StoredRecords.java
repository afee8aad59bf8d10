package dev.runledger.orchestrator.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typed reads of a global store that holds the raw bytes of a compacted topic (bindings, runner
 * manifests). Global stores keep the topic's bytes as they are (a restore copies them without
 * running any processor), so records are decoded here: one that does not decode reads as absent and
 * is logged once, and nothing stops. Decoded values are cached while their bytes stay the same. One
 * instance per stream task; not thread-safe.
 *
 * @param <T> the record type
 */
final class StoredRecords<T> {
  private static final Logger LOG = LoggerFactory.getLogger(StoredRecords.class);

  private final ReadOnlyKeyValueStore<String, byte[]> store;
  private final Deserializer<T> deserializer;
  private final String topic;
  private static final StringSerializer KEYS = new StringSerializer();

  private final Map<String, Decoded<T>> cache = new HashMap<>();

  private record Decoded<T>(byte[] raw, Optional<T> value) {}

  StoredRecords(
      final ReadOnlyKeyValueStore<String, byte[]> store,
      final Deserializer<T> deserializer,
      final String topic) {
    this.store = store;
    this.deserializer = deserializer;
    this.topic = topic;
  }

  /** The record stored under {@code key}, or empty when there is none or it does not decode. */
  Optional<T> get(final String key) {
    final byte[] raw = store.get(key);
    if (raw == null) {
      cache.remove(key);
      return Optional.empty();
    }
    final Decoded<T> decoded = decode(key, raw, cache.get(key));
    cache.put(key, decoded);
    return decoded.value();
  }

  /**
   * Every record whose key starts with {@code prefix} and that decodes, in key order (e.g. the
   * bindings of one workspace, under {@code workspace_id/}).
   */
  List<T> withPrefix(final String prefix) {
    final Map<String, Decoded<T>> seen = new HashMap<>();
    final List<T> values = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, KEYS)) {
      while (it.hasNext()) {
        final var entry = it.next();
        final Decoded<T> decoded = decode(entry.key, entry.value, cache.get(entry.key));
        seen.put(entry.key, decoded);
        decoded.value().ifPresent(values::add);
      }
    }
    cache.keySet().removeIf(key -> key.startsWith(prefix) && !seen.containsKey(key));
    cache.putAll(seen);
    return values;
  }

  private Decoded<T> decode(final String key, final byte[] raw, final Decoded<T> previous) {
    if (previous != null && Arrays.equals(previous.raw(), raw)) {
      return previous;
    }
    try {
      return new Decoded<>(raw, Optional.ofNullable(deserializer.deserialize(topic, raw)));
    } catch (final SerializationException e) {
      LOG.warn("record '{}' on {} does not decode and is ignored: {}", key, topic, e.getMessage());
      return new Decoded<>(raw, Optional.empty());
    }
  }
}
