package dev.runledger.deploy.bench;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunStatus;
import dev.runledger.deploy.DevStack;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.schemas.topics.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * When each bench run became visible, without polling anything: a {@code read_committed} consumer
 * on the ledger notes the first terminal record of each watched run (visible in the ledger), and a
 * listener on the projections' fold notes when its terminal status is written to the {@code runs}
 * view (readable over the API from that moment).
 */
final class RunWatch implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(100);

  /** When each watched run's event was produced, in {@link System#nanoTime()}. */
  private final Map<String, Long> sent = new ConcurrentHashMap<>();

  private final Map<String, Long> inLedger = new ConcurrentHashMap<>();
  private final Map<String, Long> inView = new ConcurrentHashMap<>();
  private final Map<String, Long> ledgerRecords = new ConcurrentHashMap<>();
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final DevStack stack;
  private final Consumer<AgentRun> listener = this::written;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Topic<String, LedgerRecord> ledger;
  private final Thread reader;
  private final CountDownLatch assigned = new CountDownLatch(1);
  private volatile CountDownLatch allInView = new CountDownLatch(0);
  private volatile CountDownLatch allInLedger = new CountDownLatch(0);

  RunWatch(final DevStack stack) {
    this.stack = stack;
    this.ledger = stack.topics().runLedger();
    final Properties props = stack.config().kafkaProperties();
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    this.consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.reader = new Thread(this::read, "bench-ledger-watch");
    this.reader.setDaemon(true);
    stack.projections().addRunListener(listener);
    reader.start();
    awaitLatch(assigned, Duration.ofSeconds(30), "the ledger watch did not start");
  }

  /** Starts watching a phase of {@code runs} runs (call before producing their events). */
  void expect(final int runs) {
    sent.clear();
    inLedger.clear();
    inView.clear();
    ledgerRecords.clear();
    allInView = new CountDownLatch(runs);
    allInLedger = new CountDownLatch(runs);
  }

  /** Notes that the event of {@code runId} is about to be produced. */
  void sending(final String runId) {
    sent.put(runId, System.nanoTime());
  }

  /** Waits until every expected run is terminal in the ledger and in the view. */
  void awaitAll(final Duration timeout) {
    awaitLatch(allInLedger, timeout, "bench runs did not all reach the ledger");
    awaitLatch(allInView, timeout, "bench runs did not all become readable in the runs view");
    final String failed = failure.get();
    if (failed != null) {
      throw new IllegalStateException(failed);
    }
  }

  /** Event produced → first terminal in the ledger, per run, in microseconds. */
  Latencies ledgerLatencies() {
    return latencies(inLedger);
  }

  /** Event produced → terminal readable in the runs view, per run, in microseconds. */
  Latencies viewLatencies() {
    return latencies(inView);
  }

  /** When the last run became terminal in the ledger, in {@link System#nanoTime()}. */
  long lastInLedger() {
    return inLedger.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
  }

  /** When the last run became readable as terminal in the view, in {@link System#nanoTime()}. */
  long lastInView() {
    return inView.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
  }

  /** The mean number of ledger records of a run, as its view counts them at its terminal. */
  double ledgerRecordsPerRun() {
    return ledgerRecords.values().stream().mapToLong(Long::longValue).average().orElse(Double.NaN);
  }

  private Latencies latencies(final Map<String, Long> at) {
    final Latencies latencies = new Latencies();
    at.forEach(
        (run, when) -> {
          final Long began = sent.get(run);
          if (began != null) {
            latencies.add((when - began) / 1000);
          }
        });
    return latencies;
  }

  private void written(final AgentRun run) {
    if (!RunFold.isTerminal(run.getStatus()) || !sent.containsKey(run.getRunId())) {
      return;
    }
    if (inView.putIfAbsent(run.getRunId(), System.nanoTime()) == null) {
      if (run.getStatus() != RunStatus.COMPLETED) {
        failure.compareAndSet(null, "bench run " + run.getRunId() + " ended " + run.getStatus());
      }
      ledgerRecords.put(run.getRunId(), run.getEventCount());
      allInView.countDown();
    }
  }

  private void read() {
    try {
      final List<TopicPartition> partitions =
          consumer.partitionsFor(ledger.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      assigned.countDown();
      while (!Thread.currentThread().isInterrupted()) {
        for (final ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
          final String runId = record.key();
          if (runId == null || record.value() == null || !sent.containsKey(runId)) {
            continue;
          }
          final LedgerRecord entry =
              ledger.valueSerde().deserializer().deserialize(null, record.value());
          if (RunFold.isTerminal(entry) && inLedger.putIfAbsent(runId, System.nanoTime()) == null) {
            allInLedger.countDown();
          }
        }
      }
    } catch (final WakeupException closing) {
      // close() stops the reader
    } finally {
      consumer.close();
    }
  }

  private static void awaitLatch(
      final CountDownLatch latch, final Duration timeout, final String failure) {
    try {
      if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            failure + " within " + timeout.toSeconds() + " s (" + latch.getCount() + " missing)");
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    stack.projections().removeRunListener(listener);
    consumer.wakeup();
    try {
      reader.join(TimeUnit.SECONDS.toMillis(10));
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
