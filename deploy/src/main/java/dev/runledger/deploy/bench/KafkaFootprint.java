package dev.runledger.deploy.bench;

import dev.runledger.deploy.DevStack;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.service.StreamsService;
import java.time.Duration;
import java.util.HashMap;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a phase of the bench wrote to Kafka, from the end offsets of every topic of the stack (its
 * own topics and the Streams apps' changelogs and repartition topics, which all start with the
 * topic prefix) before and after: the offsets it used, how many of them are records (read back with
 * {@code read_uncommitted}, so records of aborted transactions count), how many were purged before
 * they could be read (repartition records Streams had deleted) and so how many are transaction
 * markers, per topic; and how many commits the Streams apps made (under exactly-once each is one
 * transaction per stream thread).
 */
public final class KafkaFootprint {
  private static final Duration POLL = Duration.ofMillis(200);

  /** Polls in a row that may move no partition before the read back gives up (2 s). */
  private static final int IDLE_POLLS = 10;

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
    final Map<TopicPartition, Long> starts = new HashMap<>();
    after
        .ends()
        .forEach(
            (tp, end) -> {
              final long start = before.ends().getOrDefault(tp, 0L);
              if (end > start) {
                starts.put(tp, start);
              }
            });
    final Map<String, Usage> topics = new TreeMap<>();
    readBack(starts, after.ends())
        .forEach(
            (tp, usage) -> topics.merge(tp.topic().substring(prefix.length()), usage, Usage::plus));
    return new Written(topics, after.streamsCommits() - before.streamsCommits());
  }

  /**
   * The offsets {@code [start, end)} of each partition, read back by one consumer assigned every
   * partition at once, so one fetch covers them all (one partition at a time, each would wait out
   * the fetch still in flight for the one before it, {@code fetch.max.wait.ms}). Offsets below a
   * partition's log start are purged (Streams deletes the repartition records it has committed):
   * counted as neither records nor markers. A partition is done when its position reaches its end
   * (markers take offsets too); reading stops when every partition is done or after {@link
   * #IDLE_POLLS} polls in a row that moved none of them.
   */
  private Map<TopicPartition, Usage> readBack(
      final Map<TopicPartition, Long> starts, final Map<TopicPartition, Long> ends) {
    final Map<TopicPartition, Usage> usage = new HashMap<>();
    if (starts.isEmpty()) {
      return usage;
    }
    final Properties props = stack.config().kafkaProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    // a purge between the log start read below and the fetch: go on from the new log start
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(starts.keySet());
      final Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(starts.keySet());
      final Map<TopicPartition, Long> reading = new HashMap<>();
      starts.forEach(
          (tp, start) -> {
            final long end = ends.get(tp);
            final long from = Math.min(end, Math.max(start, logStarts.getOrDefault(tp, 0L)));
            usage.put(tp, new Usage(end - start, 0, from - start));
            if (from < end) {
              consumer.seek(tp, from);
              reading.put(tp, from);
            } else {
              consumer.pause(List.of(tp));
            }
          });
      int idle = 0;
      while (!reading.isEmpty() && idle < IDLE_POLLS) {
        final ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL);
        for (final ConsumerRecord<byte[], byte[]> record : polled) {
          final TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          if (record.offset() < ends.get(tp)) {
            usage.merge(tp, new Usage(0, 1, 0), Usage::plus);
          }
        }
        boolean moved = !polled.isEmpty();
        for (final TopicPartition tp : List.copyOf(reading.keySet())) {
          final long position = consumer.position(tp);
          if (position >= ends.get(tp)) {
            reading.remove(tp);
            consumer.pause(List.of(tp));
            moved = true;
          } else {
            final long last = reading.put(tp, position);
            moved |= position != last;
          }
        }
        idle = moved ? 0 : idle + 1;
      }
    }
    return usage;
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
   * Offsets a topic used in a phase: records, transaction markers, and offsets purged before they
   * could be read back (of a repartition topic: records or markers, no longer known which).
   *
   * @param offsets end-offset delta over the topic's partitions
   * @param records records among them
   * @param purged offsets among them below the log start when read back
   */
  public record Usage(long offsets, long records, long purged) {
    /** The offsets that are neither records nor purged. */
    public long markers() {
      return offsets - records - purged;
    }

    Usage plus(final Usage other) {
      return new Usage(offsets + other.offsets, records + other.records, purged + other.purged);
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
