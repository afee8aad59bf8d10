package dev.runledger.gateway.registry;

import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.WorkerHeartbeat;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link WorkerRegistry} in step with the compacted {@code runners} and {@code workers}
 * topics: one background thread with a consumer that has no group, is assigned every partition of
 * both, reads from the beginning and keeps reading. A record that cannot be decoded is logged and
 * skipped. The gateway does not wait for it: the registry fills in as it reads.
 *
 * <p>Inputs: {@code runners} (key: {@code runner_id}, UTF-8; value: {@code RunnerManifest} single-
 * object encoded, or a tombstone) and {@code workers} (key: {@code worker_id}, UTF-8; value: {@code
 * WorkerHeartbeat}, or a tombstone when the worker left).
 */
public final class RegistryCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryCache.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final long TOPIC_RETRY_MS = 500;
  private static final long CLOSE_TIMEOUT_MS = 10_000;

  private final Consumer<String, byte[]> consumer;
  private final String runnersTopic;
  private final String workersTopic;
  private final Deserializer<RunnerManifest> manifests;
  private final Deserializer<WorkerHeartbeat> heartbeats;
  private final WorkerRegistry registry;
  private final Clock clock;
  private final AtomicLong skipped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  /** A cache with its own consumer configured from {@code config}. */
  public RegistryCache(final LedgerConfig config, final LedgerTopics topics) {
    this(
        topics,
        new KafkaConsumer<>(
            consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer()),
        new WorkerRegistry(RegistrySettings.from(config)),
        Clock.systemUTC());
  }

  /** A cache over a given consumer (e.g. a {@code MockConsumer} in tests); it closes it. */
  public RegistryCache(
      final LedgerTopics topics,
      final Consumer<String, byte[]> consumer,
      final WorkerRegistry registry,
      final Clock clock) {
    this.consumer = consumer;
    this.runnersTopic = topics.runners().name();
    this.workersTopic = topics.workers().name();
    this.manifests = topics.runners().valueSerde().deserializer();
    this.heartbeats = topics.workers().valueSerde().deserializer();
    this.registry = registry;
    this.clock = clock;
    this.thread = new Thread(this::run, "registry-cache");
    this.thread.setDaemon(true);
  }

  /** Consumer settings: no group, no commits, from the beginning, committed records only. */
  static Properties consumerProperties(final LedgerConfig config) {
    final Properties props = config.kafkaProperties();
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return props;
  }

  /** Starts reading in the background. */
  public synchronized void start() {
    if (!closed && thread.getState() == Thread.State.NEW) {
      thread.start();
    }
  }

  /** The runners and workers read so far. */
  public WorkerRegistry registry() {
    return registry;
  }

  /** How many records could not be decoded and were skipped. */
  public long skippedRecords() {
    return skipped.get();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (thread.getState() == Thread.State.NEW) {
      consumer.close();
      return;
    }
    consumer.wakeup();
    try {
      thread.join(CLOSE_TIMEOUT_MS);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      assignAll();
      while (!closed) {
        consumer.poll(POLL_TIMEOUT).forEach(this::apply);
      }
    } catch (final WakeupException e) {
      if (!closed) {
        LOG.error("registry cache woken up unexpectedly; it stops", e);
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (final RuntimeException e) {
      LOG.error("registry cache stopped reading: {}", e.getMessage(), e);
    } finally {
      consumer.close();
    }
  }

  /** Assigns every partition of both topics, from the beginning, waiting for them to exist. */
  private void assignAll() throws InterruptedException {
    final List<TopicPartition> partitions = new ArrayList<>();
    for (final String topic : List.of(runnersTopic, workersTopic)) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      while ((infos == null || infos.isEmpty()) && !closed) {
        Thread.sleep(TOPIC_RETRY_MS);
        infos = consumer.partitionsFor(topic);
      }
      if (infos != null) {
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  private void apply(final ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      skip(record, "it has no key");
      return;
    }
    try {
      if (runnersTopic.equals(record.topic())) {
        registry.manifest(record.key(), decode(manifests, record));
      } else {
        registry.heartbeat(record.key(), decode(heartbeats, record), clock.instant());
      }
    } catch (final SerializationException e) {
      skip(record, e.getMessage());
    }
  }

  private static <V> V decode(
      final Deserializer<V> decoder, final ConsumerRecord<String, byte[]> record) {
    return record.value() == null
        ? null
        : decoder.deserialize(record.topic(), record.headers(), record.value());
  }

  private void skip(final ConsumerRecord<String, byte[]> record, final String reason) {
    skipped.incrementAndGet();
    LOG.warn(
        "skipping registry record {}-{}@{} (key {}): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        record.key(),
        reason);
  }
}
