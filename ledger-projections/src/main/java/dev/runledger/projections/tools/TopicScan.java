package dev.runledger.projections.tools;

import dev.runledger.schemas.config.LedgerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic itself (every partition, no consumer group, {@code read_committed}) from the
 * beginning or a timestamp up to the end offsets it saw when it started, for replay, rebuild and
 * verify. Its fetches are capped ({@value #FETCH_MAX_BYTES} bytes per fetch, {@value
 * #PARTITION_FETCH_MAX_BYTES} per partition), so the consumer's buffers stay a few MiB however
 * large the topic and its records are (a batch larger than the cap still comes whole, and a record
 * is at most {@code max.record.bytes}).
 */
public final class TopicScan {
  /** {@code fetch.max.bytes} of a scan: 4 MiB. */
  public static final int FETCH_MAX_BYTES = 4 * 1024 * 1024;

  /** {@code max.partition.fetch.bytes} of a scan: 1 MiB. */
  public static final int PARTITION_FETCH_MAX_BYTES = 1024 * 1024;

  private final LedgerConfig config;

  public TopicScan(final LedgerConfig config) {
    this.config = config;
  }

  /** Progress of a scan. */
  public interface Progress {
    void total(long records);

    void step(long records);
  }

  /**
   * Reads {@code topic} and hands every record to {@code each}, partition by partition.
   *
   * @param from the first timestamp to read, or null for the beginning
   */
  public void scan(
      final String topic,
      final Instant from,
      final Progress progress,
      final Consumer<ConsumerRecord<byte[], byte[]>> each) {
    final Properties props = config.kafkaProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    // bounded buffers: records of a poll come from at most these many fetched bytes
    props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, FETCH_MAX_BYTES);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, PARTITION_FETCH_MAX_BYTES);
    // The scan stops at end offsets it knows: a fetch that finds nothing new (the partitions
    // already read up to their last transaction marker) need not wait the default 500 ms.
    props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      final List<TopicPartition> partitions = new ArrayList<>();
      for (final PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      final Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      final Map<TopicPartition, Long> start = new HashMap<>(consumer.beginningOffsets(partitions));
      if (from != null) {
        final Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, from.toEpochMilli()));
        final Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        found.forEach((p, at) -> start.put(p, at == null ? end.get(p) : at.offset()));
      }
      long total = 0;
      for (final TopicPartition p : partitions) {
        consumer.seek(p, start.get(p));
        total += Math.max(0, end.get(p) - start.get(p));
      }
      progress.total(total);
      final Map<TopicPartition, Long> remaining = new HashMap<>();
      partitions.stream()
          .filter(p -> end.get(p) > start.get(p))
          .forEach(p -> remaining.put(p, end.get(p)));
      while (!remaining.isEmpty()) {
        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          final TopicPartition p = new TopicPartition(record.topic(), record.partition());
          final Long last = remaining.get(p);
          if (last != null && record.offset() < last) {
            each.accept(record);
            progress.step(1);
          }
        }
        // transaction markers take offsets too: a partition is done when its position reaches end
        for (final TopicPartition p : List.copyOf(remaining.keySet())) {
          if (consumer.position(p) >= remaining.get(p)) {
            remaining.remove(p);
          }
        }
      }
    }
  }

  /** A progress that reports nothing. */
  public static Progress silent() {
    return new Progress() {
      @Override
      public void total(final long records) {}

      @Override
      public void step(final long records) {}
    };
  }
}
