package dev.runledger.gateway;

import dev.runledger.avro.AgentBinding;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * Keeps a {@link BindingTable} in step with the bindings topic: one background thread with a
 * consumer that has no group, is assigned every partition, reads from the beginning and keeps
 * reading. Tombstones remove bindings; a record that cannot be decoded is logged and skipped.
 *
 * <p>Input: {@code bindings} (key: {@code workspace_id/binding_id}, UTF-8; value: {@code
 * AgentBinding} single-object encoded, or a tombstone).
 */
final class BindingCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BindingCache.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final long TOPIC_RETRY_MS = 500;
  private static final long CLOSE_TIMEOUT_MS = 10_000;

  private final Consumer<String, byte[]> consumer;
  private final Topic<String, AgentBinding> topic;
  private final Deserializer<AgentBinding> decoder;
  private final BindingTable table = new BindingTable();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final AtomicLong skipped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;
  private volatile RuntimeException failure;

  /** A cache with its own consumer configured from {@code config}. */
  public BindingCache(final LedgerConfig config, final LedgerTopics topics) {
    this(
        topics,
        new KafkaConsumer<>(
            consumerProperties(config), new StringDeserializer(), new ByteArrayDeserializer()));
  }

  /** A cache over a given consumer (e.g. a {@code MockConsumer} in tests); it closes it. */
  public BindingCache(final LedgerTopics topics, final Consumer<String, byte[]> consumer) {
    this.consumer = consumer;
    this.topic = topics.bindings();
    this.decoder = topic.valueSerde().deserializer();
    this.thread = new Thread(this::run, "binding-cache");
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

  /** Waits until every record that was on the topic at start has been read. */
  public boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True once the cache has read what was on the topic at start and while it keeps reading. */
  public boolean healthy() {
    return caughtUp.getCount() == 0 && thread.isAlive() && failure == null && !closed;
  }

  /** The bindings read so far (and the writes applied to it directly). */
  public BindingTable table() {
    return table;
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
      final Map<TopicPartition, Long> ends = assignAll();
      while (!closed) {
        consumer.poll(POLL_TIMEOUT).forEach(this::apply);
        if (caughtUp.getCount() > 0 && reached(ends)) {
          caughtUp.countDown();
          LOG.info("bindings cache caught up: {} bindings from {}", table.size(), topic.name());
        }
      }
    } catch (final WakeupException e) {
      if (!closed) {
        failure = e;
        LOG.error("bindings cache woken up unexpectedly; it stops", e);
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (final RuntimeException e) {
      failure = e;
      LOG.error("bindings cache stopped reading {}: {}", topic.name(), e.getMessage(), e);
    } finally {
      consumer.close();
    }
  }

  /** Assigns every partition of the topic, waiting for the topic to exist; the end offsets. */
  private Map<TopicPartition, Long> assignAll() throws InterruptedException {
    List<PartitionInfo> infos = consumer.partitionsFor(topic.name());
    if ((infos == null || infos.isEmpty()) && !closed) {
      LOG.warn("bindings topic {} does not exist yet; waiting for it to be created", topic.name());
    }
    while ((infos == null || infos.isEmpty()) && !closed) {
      Thread.sleep(TOPIC_RETRY_MS);
      infos = consumer.partitionsFor(topic.name());
    }
    final List<TopicPartition> partitions =
        infos == null
            ? List.of()
            : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer.endOffsets(partitions);
  }

  private boolean reached(final Map<TopicPartition, Long> ends) {
    return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void apply(final ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      skip(record, "it has no key");
      return;
    }
    if (record.value() == null) {
      table.apply(record.key(), null, record.partition(), record.offset());
      return;
    }
    final AgentBinding binding;
    try {
      binding = decoder.deserialize(record.topic(), record.headers(), record.value());
    } catch (final SerializationException e) {
      skip(record, e.getMessage());
      return;
    }
    table.apply(record.key(), binding, record.partition(), record.offset());
  }

  private void skip(final ConsumerRecord<String, byte[]> record, final String reason) {
    skipped.incrementAndGet();
    LOG.warn(
        "skipping binding record {}-{}@{} (key {}): {}",
        record.topic(),
        record.partition(),
        record.offset(),
        record.key(),
        reason);
  }
}
