package dev.runledger.worker.control;

import dev.runledger.avro.RunCommand;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.schemas.serde.DecodeException;
import dev.runledger.schemas.topics.CancelMarks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole {@code run-control} topic (key {@code run_id}, value {@code RunCommand} with
 * {@code CancelRun} or {@code SteerRun}) into {@link RunControl}: every partition, no consumer
 * group, from the beginning, then continuously. {@link #start} returns once the reader has caught
 * up with the end offsets seen at start, so the worker claims nothing before it knows every earlier
 * cancel (contract C1, ARCHITECTURE.md §12).
 *
 * <p>Why no group: every worker needs every command (the run may be claimed by any of them), and a
 * restarted worker must see cancels and steering sent before it started. A record that cannot be
 * decoded is logged and skipped (each worker reads it; the DLQ is not written N times). It reads
 * committed records only, so "caught up" means up to the last stable offset.
 */
public final class RunControlReader implements AutoCloseable {
  static final Duration POLL = Duration.ofMillis(200);
  static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(RunControlReader.class);

  private final String topic;
  private final Deserializer<RunCommand> commands;
  private final RunControl control;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final LedgerMeters.Registration consumerMetrics;
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean stopping;
  private volatile boolean started;
  private volatile Map<TopicPartition, Long> endAtStart;

  public RunControlReader(
      final Properties kafkaProperties,
      final String workerId,
      final String topic,
      final Deserializer<RunCommand> commands,
      final RunControl control) {
    this.topic = topic;
    this.commands = commands;
    this.control = control;
    final Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // the orchestrator writes its cancels and steering inside its transactions: a command of an
    // aborted transaction never happened, and one of an open transaction may still be aborted
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, workerId + "-run-control");
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    // its lag (README "Metrics": kafka_consumer_fetch_manager_records_lag_max{service="worker"})
    this.consumerMetrics = LedgerMeters.bindKafka("worker", consumer);
    this.thread = new Thread(this::loop, "runledger-run-control-" + workerId);
    this.thread.setDaemon(true);
  }

  /**
   * Assigns every partition, starts reading, and waits until everything written before now was
   * applied.
   *
   * @throws IllegalStateException when the topic is missing or catching up takes longer than {@code
   *     timeout}
   */
  public void start(final Duration timeout) {
    final List<PartitionInfo> partitions = consumer.partitionsFor(topic, timeout);
    if (partitions == null || partitions.isEmpty()) {
      throw new IllegalStateException(
          "topic " + topic + " does not exist; create the topics first (ledger topics create)");
    }
    final List<TopicPartition> assigned =
        partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(assigned);
    consumer.seekToBeginning(assigned);
    final Map<TopicPartition, Long> end = consumer.endOffsets(assigned, timeout);
    this.endAtStart = end;
    started = true;
    thread.start();
    try {
      if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "could not read " + topic + " up to its end within " + timeout.toSeconds() + " s");
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading " + topic, e);
    }
    LOG.info("read {} up to its end ({} runs with control state)", topic, control.size());
  }

  /** True while the reading thread runs. */
  public boolean healthy() {
    return thread.isAlive();
  }

  private void loop() {
    try {
      while (!stopping) {
        try {
          for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            apply(record);
          }
          if (caughtUp.getCount() > 0 && reachedEnd()) {
            caughtUp.countDown();
          }
        } catch (final WakeupException e) {
          return;
        } catch (final KafkaException e) {
          if (stopping) {
            return;
          }
          LOG.error("reading {} failed; retrying in {}", topic, ERROR_BACKOFF, e);
          Thread.sleep(ERROR_BACKOFF.toMillis());
        }
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  private boolean reachedEnd() {
    final Map<TopicPartition, Long> end = endAtStart;
    if (end == null) {
      return false;
    }
    for (final Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
      if (consumer.position(partition.getKey()) < partition.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void apply(final ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return;
    }
    final RunCommand command;
    try {
      command = commands.deserialize(record.topic(), record.value());
    } catch (final DecodeException e) {
      LOG.warn(
          "skipping unreadable run-control record {}-{}@{}: {}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.code(),
          e.getMessage());
      return;
    }
    try {
      control.apply(command, CancelMarks.of(record.headers()));
    } catch (final RuntimeException e) {
      LOG.error(
          "applying run-control record {}-{}@{} for run {} failed",
          record.topic(),
          record.partition(),
          record.offset(),
          command.getRunId(),
          e);
    }
  }

  @Override
  public void close() {
    stopping = true;
    consumerMetrics.close();
    if (!started) {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      return;
    }
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
