package dev.runledger.gateway;

import dev.runledger.avro.AgentBinding;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.CompactedTopicReader;
import dev.runledger.schemas.topics.LedgerTopics;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Keeps a {@link BindingTable} in step with the bindings topic: one background thread with a
 * consumer that has no group, is assigned every partition, reads from the beginning and keeps
 * reading. Tombstones remove bindings; a record that cannot be decoded is logged and skipped.
 *
 * <p>Input: {@code bindings} (key: {@code workspace_id/binding_id}, UTF-8; value: {@code
 * AgentBinding} single-object encoded, or a tombstone).
 */
final class BindingCache extends CompactedTopicReader {
  private final Deserializer<AgentBinding> decoder;
  private final BindingTable table = new BindingTable();

  /** A cache with its own consumer configured from {@code config}. */
  public BindingCache(final LedgerConfig config, final LedgerTopics topics) {
    this(
        topics,
        new KafkaConsumer<>(
            CompactedTopicReader.consumerProperties(config),
            new StringDeserializer(),
            new ByteArrayDeserializer()));
  }

  /** A cache over a given consumer (e.g. a {@code MockConsumer} in tests); it closes it. */
  public BindingCache(final LedgerTopics topics, final Consumer<String, byte[]> consumer) {
    super("binding-cache", consumer, List.of(topics.bindings().name()));
    this.decoder = topics.bindings().valueSerde().deserializer();
  }

  /** The bindings read so far (and the writes applied to it directly). */
  public BindingTable table() {
    return table;
  }

  @Override
  protected void apply(final ConsumerRecord<String, byte[]> record) {
    table.apply(record.key(), valueOf(decoder, record), record.partition(), record.offset());
  }
}
