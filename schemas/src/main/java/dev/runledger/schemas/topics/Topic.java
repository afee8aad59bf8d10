package dev.runledger.schemas.topics;

import java.util.Map;
import org.apache.kafka.common.serialization.Serde;

/**
 * One topic of the catalogue: its full name, how its keys and values are encoded and how it is
 * created. Code refers to topics only through these.
 *
 * @param name full topic name, prefix included
 * @param keySerde key serde
 * @param valueSerde value serde
 * @param partitions partitions it is created with
 * @param configs topic configs used when creating it (cleanup policy, retention)
 */
public record Topic<K, V>(
    String name,
    Serde<K> keySerde,
    Serde<V> valueSerde,
    int partitions,
    Map<String, String> configs) {
  public Topic {
    configs = Map.copyOf(configs);
  }

  /**
   * The bytes a record of this topic carries before Kafka's framing: the key and the value as this
   * topic's serdes encode them. What {@code record.max.bytes} bounds.
   */
  public int encodedSize(final K key, final V value) {
    return length(keySerde.serializer().serialize(name, key))
        + length(value == null ? null : valueSerde.serializer().serialize(name, value));
  }

  private static int length(final byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }
}
