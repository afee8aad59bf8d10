package dev.runledger.deploy.bench;

import dev.runledger.deploy.DevStack;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.service.StreamsService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a phase of the bench wrote to Kafka, from the end offsets of every topic of the stack (its
 * own topics and the Streams apps' changelogs and repartition topics, which all start with the
 * topic prefix) before and after: the offsets it used, how many of them are records (read back with
 * {@code read_uncommitted}, so records of aborted transactions count) and so how many are
 * transaction markers, per topic; and how many commits the Streams apps made (under exactly-once
 * each is one transaction per stream thread).
 */
public final class KafkaFootprint {
  private static final Duration POLL = Duration.ofMillis(200);

  private final DevStack stack;
  private final String prefix;

  KafkaFootprint(final DevStack stack) {
    this.stack = stack;
    this.prefix = stack.config().get(CoreSettings.TOPIC_PREFIX);
  }

  /** End offsets and Streams commit counts now. */
  Snapshot snapshot() throws InterruptedException, ExecutionException {
    try (Admin admin = Admin.create(stack.config().kafkaProperties())) {
      final List<String> topics =
          admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).toList();
      final Map<TopicPartition, OffsetSpec> latest =
          admin.describeTopics(topics).allTopicNames().get().values().stream()
              .flatMap(
                  d ->
                      d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
              .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
      final Map<TopicPartition, Long> ends = new TreeMap<>(KafkaFootprint::compare);
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
      return new Snapshot(ends, commits(stack.orchestrator()) + commits(stack.projections()));
    }
  }

  /** What was written between {@code before} and {@code after}. */
  Written between(final Snapshot before, final Snapshot after) {
    final Map<String, long[]> perTopic = new TreeMap<>();
    final Properties props = stack.config().kafkaProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      after
          .ends()
          .forEach(
              (tp, end) -> {
                final long start = before.ends().getOrDefault(tp, 0L);
                if (end > start) {
                  final long[] counts = perTopic.computeIfAbsent(tp.topic(), t -> new long[2]);
                  counts[0] += end - start;
                  counts[1] += records(consumer, tp, start, end);
                }
              });
    }
    final Map<String, Usage> topics = new TreeMap<>();
    perTopic.forEach(
        (topic, counts) ->
            topics.put(topic.substring(prefix.length()), new Usage(counts[0], counts[1])));
    return new Written(topics, after.streamsCommits() - before.streamsCommits());
  }

  private static long records(
      final KafkaConsumer<byte[], byte[]> consumer,
      final TopicPartition tp,
      final long start,
      final long end) {
    consumer.assign(List.of(tp));
    consumer.seek(tp, start);
    long count = 0;
    int idle = 0;
    while (consumer.position(tp) < end && idle < 10) {
      final List<ConsumerRecord<byte[], byte[]>> polled = consumer.poll(POLL).records(tp);
      idle = polled.isEmpty() ? idle + 1 : 0;
      count += polled.stream().filter(r -> r.offset() < end).count();
    }
    return count;
  }

  private static double commits(final StreamsService service) {
    return service.streams().metrics().values().stream()
        .filter(
            m ->
                m.metricName().name().equals("commit-total")
                    && m.metricName().group().equals("stream-thread-metrics"))
        .map(Metric::metricValue)
        .filter(Number.class::isInstance)
        .mapToDouble(v -> ((Number) v).doubleValue())
        .sum();
  }

  private static int compare(final TopicPartition a, final TopicPartition b) {
    final int byTopic = a.topic().compareTo(b.topic());
    return byTopic != 0 ? byTopic : Integer.compare(a.partition(), b.partition());
  }

  /** End offsets of every partition of the stack's topics, and the Streams commits so far. */
  record Snapshot(Map<TopicPartition, Long> ends, double streamsCommits) {}

  /**
   * Offsets a topic used in a phase: records plus transaction markers.
   *
   * @param offsets end-offset delta over the topic's partitions
   * @param records records among them (the rest are transaction markers)
   */
  public record Usage(long offsets, long records) {
    public long markers() {
      return offsets - records;
    }
  }

  /** What a phase wrote: per topic (without the prefix), and the Streams commits it took. */
  record Written(Map<String, Usage> topics, double streamsCommits) {
    long records() {
      return topics.values().stream().mapToLong(Usage::records).sum();
    }

    long markers() {
      return topics.values().stream().mapToLong(Usage::markers).sum();
    }
  }
}
