package dev.runledger.deploy.bench;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.schemas.config.LedgerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The baseline: plain Kafka on a topic shaped like the ledger (same partitions, string keys, values
 * of a fixed size, an idempotent {@code acks=all} producer like the workers'). Measures produce
 * throughput to all-acknowledged, consume throughput of the same records from the start, and
 * end-to-end latency (create time to poll) at a fixed offered rate.
 */
public final class RawKafkaBench {
  private final LedgerConfig config;
  private final String topic;

  /** The baseline on the stack's cluster, on topic {@code <topic prefix>bench-raw}. */
  public RawKafkaBench(final DevStack stack) {
    this.config = stack.config();
    this.topic = config.topicSettings().prefix() + "bench-raw";
  }

  /** Figures of one baseline run; the latency percentiles are written as fields of this object. */
  public record Result(
      int records,
      int valueBytes,
      double producedPerSecond,
      double consumedPerSecond,
      double ratePerSecond,
      @JsonUnwrapped Percentiles latency) {}

  /** Runs the baseline: {@code records} at saturation, then {@code rate}/s for {@code seconds}. */
  public Result run(final int records, final int valueBytes, final int rate, final int seconds)
      throws InterruptedException, ExecutionException, TimeoutException {
    createTopic();
    final byte[] value = new byte[valueBytes];
    try (KafkaProducer<String, byte[]> producer = producer()) {
      warmUp(producer, value);
      final long began = System.nanoTime();
      final AtomicReference<Exception> sendFailure = new AtomicReference<>();
      for (int i = 0; i < records; i++) {
        producer.send(
            new ProducerRecord<>(topic, "k" + (i % 1000), value),
            (metadata, e) -> {
              if (e != null) {
                sendFailure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
      if (sendFailure.get() != null) {
        throw new IllegalStateException(
            "the baseline could not produce to " + topic + ": " + sendFailure.get(),
            sendFailure.get());
      }
      final double produced = records / seconds(began);
      final double consumed = records / consumeFromStart(records);
      return new Result(
          records,
          valueBytes,
          produced,
          consumed,
          rate,
          fixedRate(producer, value, rate, seconds, records).percentiles());
    }
  }

  /**
   * One acknowledged record per partition before the clock starts, so no partition's first batch is
   * in flight together with its second (see {@link TopicAdmin#awaitLeaders}).
   */
  private void warmUp(final KafkaProducer<String, byte[]> producer, final byte[] value)
      throws InterruptedException, ExecutionException, TimeoutException {
    for (int partition = 0; partition < config.topicSettings().partitions(); partition++) {
      producer
          .send(new ProducerRecord<>(topic, partition, "warm-up", value))
          .get(60, TimeUnit.SECONDS);
    }
  }

  private double consumeFromStart(final int records) {
    try (KafkaConsumer<String, byte[]> consumer = consumer()) {
      consumer.assign(partitions(consumer));
      consumer.seekToBeginning(consumer.assignment());
      final long began = System.nanoTime();
      final long deadline = began + TimeUnit.MINUTES.toNanos(5);
      int seen = 0;
      while (seen < records) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "the baseline consumer read " + seen + " of " + records + " records in 5 minutes");
        }
        seen += consumer.poll(Duration.ofMillis(200)).count();
      }
      return seconds(began);
    }
  }

  /** Sends at {@code rate}/s while a consumer measures create-to-poll latency of each record. */
  private Latencies fixedRate(
      final KafkaProducer<String, byte[]> producer,
      final byte[] value,
      final int rate,
      final int seconds,
      final int alreadyWritten)
      throws InterruptedException {
    final Latencies latencies = new Latencies();
    final int total = rate * seconds;
    final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    final Thread reader =
        new Thread(
            () -> {
              try (KafkaConsumer<String, byte[]> consumer = consumer()) {
                consumer.assign(partitions(consumer));
                consumer.seekToEnd(consumer.assignment());
                consumer.assignment().forEach(consumer::position);
                synchronized (latencies) {
                  latencies.notifyAll();
                }
                int seen = 0;
                while (seen < total && !Thread.currentThread().isInterrupted()) {
                  for (final ConsumerRecord<String, byte[]> record :
                      consumer.poll(Duration.ofMillis(100))) {
                    latencies.add((System.currentTimeMillis() - record.timestamp()) * 1000);
                    seen++;
                  }
                }
              } catch (final RuntimeException e) {
                failure.set(e);
              }
            },
            "bench-raw-reader");
    synchronized (latencies) {
      reader.start();
      latencies.wait(10_000);
    }
    final long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
    final long began = System.nanoTime();
    for (int i = 0; i < total; i++) {
      Pacing.waitUntil(began + i * intervalNanos);
      producer.send(new ProducerRecord<>(topic, "r" + (i % 1000), value));
    }
    producer.flush();
    reader.join(TimeUnit.SECONDS.toMillis(seconds + 30L));
    reader.interrupt();
    if (failure.get() != null) {
      throw failure.get();
    }
    return latencies;
  }

  private void createTopic() throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(config.kafkaProperties())) {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        final NewTopic spec =
            new NewTopic(
                topic, config.topicSettings().partitions(), config.topicSettings().replication());
        admin.createTopics(List.of(spec)).all().get(30, TimeUnit.SECONDS);
      }
      TopicAdmin.awaitLeaders(admin, List.of(topic));
    }
  }

  /** Every partition of the topic, waiting until the client's metadata has them all. */
  private List<TopicPartition> partitions(final KafkaConsumer<String, byte[]> consumer) {
    final int expected = config.topicSettings().partitions();
    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<TopicPartition> found = List.of();
    while (found.size() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "metadata of " + topic + " shows " + found.size() + " of " + expected + " partitions");
      }
      found =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
    }
    return found;
  }

  private KafkaProducer<String, byte[]> producer() {
    final Properties props = config.producerProperties();
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // The batches Kafka's own kafka-producer-perf-test is run with here (128 KiB, not the 16 KiB
    // default), so the baseline is what the broker can take rather than what small batches allow.
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private KafkaConsumer<String, byte[]> consumer() {
    final Properties props = config.kafkaProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  static double seconds(final long beganNanos) {
    return Math.max(1e-9, (System.nanoTime() - beganNanos) / 1e9);
  }
}
