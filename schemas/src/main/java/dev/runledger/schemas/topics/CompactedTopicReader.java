package dev.runledger.schemas.topics;

import dev.runledger.schemas.config.LedgerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads whole compacted topics into memory, for a service that keeps a table of them: one
 * background thread with a consumer that has no group, is assigned every partition of the topics
 * (waiting for them to exist), reads from the beginning and keeps reading. A subclass {@linkplain
 * #apply applies} each record to its table; a record without a key, or whose value cannot be
 * decoded, is logged and skipped.
 */
public abstract class CompactedTopicReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicReader.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final long TOPIC_RETRY_MS = 500;
  private static final long CLOSE_TIMEOUT_MS = 10_000;

  private final String name;
  private final Consumer<String, byte[]> consumer;
  private final List<String> topics;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final AtomicLong skipped = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;
  private volatile RuntimeException failure;

  /**
   * A reader named {@code name} (its thread and log lines) of {@code topics} over {@code consumer},
   * which it closes.
   */
  protected CompactedTopicReader(
      final String name, final Consumer<String, byte[]> consumer, final List<String> topics) {
    this.name = name;
    this.consumer = consumer;
    this.topics = List.copyOf(topics);
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /**
   * Applies {@code record} (it has a key; its value is null for a tombstone) on the reading thread.
   *
   * @throws SerializationException when the value cannot be decoded; the record is skipped
   */
  protected abstract void apply(ConsumerRecord<String, byte[]> record);

  /** Consumer settings: no group, no commits, from the beginning, committed records only. */
  public static Properties consumerProperties(final LedgerConfig config) {
    final Properties props = config.kafkaProperties();
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    return props;
  }

  /** The value of {@code record} decoded with {@code decoder}, or null for a tombstone. */
  public static <V> V valueOf(
      final Deserializer<V> decoder, final ConsumerRecord<String, byte[]> record) {
    return record.value() == null
        ? null
        : decoder.deserialize(record.topic(), record.headers(), record.value());
  }

  /** Starts reading in the background. */
  public final synchronized void start() {
    if (!closed && thread.getState() == Thread.State.NEW) {
      thread.start();
    }
  }

  /** Waits until every record that was on the topics at start has been read. */
  public final boolean awaitCaughtUp(final Duration timeout) throws InterruptedException {
    return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True once the reader has read what was on the topics at start and while it keeps reading. */
  public final boolean healthy() {
    return caughtUp.getCount() == 0 && thread.isAlive() && failure == null && !closed;
  }

  /** How many records had no key or could not be decoded and were skipped. */
  public final long skippedRecords() {
    return skipped.get();
  }

  @Override
  public final synchronized void close() {
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
        consumer.poll(POLL_TIMEOUT).forEach(this::applyOrSkip);
        if (caughtUp.getCount() > 0 && reached(ends)) {
          caughtUp.countDown();
          LOG.info("{} caught up with {}", name, topics);
        }
      }
    } catch (final WakeupException e) {
      if (!closed) {
        failure = e;
        LOG.error("{} woken up unexpectedly; it stops", name, e);
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (final RuntimeException e) {
      failure = e;
      LOG.error("{} stopped reading {}: {}", name, topics, e.getMessage(), e);
    } finally {
      consumer.close();
    }
  }

  /** Assigns every partition of the topics, waiting for them to exist; the end offsets. */
  private Map<TopicPartition, Long> assignAll() throws InterruptedException {
    final List<TopicPartition> partitions = new ArrayList<>();
    for (final String topic : topics) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if ((infos == null || infos.isEmpty()) && !closed) {
        LOG.warn("{}: topic {} does not exist yet; waiting for it to be created", name, topic);
      }
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
    return consumer.endOffsets(partitions);
  }

  private boolean reached(final Map<TopicPartition, Long> ends) {
    return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void applyOrSkip(final ConsumerRecord<String, byte[]> record) {
    if (record.key() == null) {
      skip(record, "it has no key");
      return;
    }
    try {
      apply(record);
    } catch (final SerializationException e) {
      skip(record, e.getMessage());
    }
  }

  private void skip(final ConsumerRecord<String, byte[]> record, final String reason) {
    skipped.incrementAndGet();
    LOG.warn(
        "{}: skipping record {}-{}@{} (key {}): {}",
        name,
        record.topic(),
        record.partition(),
        record.offset(),
        record.key(),
        reason);
  }
}
