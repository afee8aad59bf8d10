package dev.runledger.deploy.harness;

import dev.runledger.schemas.topics.Topic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.awaitility.Awaitility;

/** Reads topics directly, to check what did (or did not) reach them. */
public final class TopicProbe {
  private final String bootstrapServers;

  public TopicProbe(final String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /** The sum of the topic's end offsets over its partitions. */
  public long endOffsets(final String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      final int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      final Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
      for (int p = 0; p < partitions; p++) {
        request.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(request).all().get().values().stream()
          .mapToLong(info -> info.offset())
          .sum();
    }
  }

  /**
   * Reads the topic from the beginning until the records matching {@code wanted} number at least
   * {@code count} (Awaitility, generous bound); returns the matching records in read order.
   */
  public List<ConsumerRecord<byte[], byte[]>> awaitRecords(
      final String topic, final Predicate<ConsumerRecord<byte[], byte[]>> wanted, final int count) {
    return awaitRecords(topic, wanted, found -> found.size() >= count);
  }

  /**
   * Reads the topic from the beginning until the records matching {@code wanted} satisfy {@code
   * done}; returns them in read order.
   */
  public List<ConsumerRecord<byte[], byte[]>> awaitRecords(
      final String topic,
      final Predicate<ConsumerRecord<byte[], byte[]>> wanted,
      final Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    final List<ConsumerRecord<byte[], byte[]>> matched = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps())) {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                consumer
                    .poll(Duration.ofMillis(200))
                    .forEach(
                        r -> {
                          if (wanted.test(r)) {
                            matched.add(r);
                          }
                        });
                return done.test(matched);
              });
      return matched;
    }
  }

  /**
   * Reads the topic's values from the start (committed records only) until {@code done}, then 2 s
   * more, so that records beyond what was awaited show too.
   */
  public <K, V> List<V> readValues(final Topic<K, V> topic, final Predicate<List<V>> done) {
    final Properties props = consumerProps();
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    final Deserializer<V> values = topic.valueSerde().deserializer();
    final List<V> read = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      final List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < topic.partitions(); p++) {
        partitions.add(new TopicPartition(topic.name(), p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      final Instant giveUp = Instant.now().plusSeconds(90);
      Instant stop = null;
      while (Instant.now().isBefore(stop == null ? giveUp : stop)) {
        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          read.add(values.deserialize(topic.name(), record.value()));
        }
        if (stop == null && done.test(read)) {
          stop = Instant.now().plusSeconds(2);
        }
      }
    }
    return read;
  }

  /**
   * Waits until share group {@code group} has settled every record of {@code topic}'s {@code
   * partition} up to {@code offset}: its start offset is past it, or at it with nothing left to
   * deliver (the share coordinator moves the start offset lazily, so an accepted last record can
   * still be the start with lag 0).
   */
  public void awaitShareGroupPast(
      final String group, final String topic, final int partition, final long offset) {
    final TopicPartition position = new TopicPartition(topic, partition);
    final AtomicReference<Object> seen = new AtomicReference<>();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      Awaitility.await()
          .atMost(TestApi.WAIT)
          .alias("share group " + group + " past " + position + "@" + offset + ", seen " + seen)
          .until(
              () -> {
                final Map<TopicPartition, SharePartitionOffsetInfo> all =
                    admin
                        .listShareGroupOffsets(
                            Map.of(
                                group,
                                new ListShareGroupOffsetsSpec().topicPartitions(List.of(position))))
                        .partitionsToOffsetInfo(group)
                        .get();
                seen.set(all);
                final SharePartitionOffsetInfo info = all.get(position);
                return info != null
                    && (info.startOffset() > offset
                        || info.startOffset() == offset && info.lag().orElse(-1L) == 0);
              });
    }
  }

  private Properties consumerProps() {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return props;
  }
}
