package dev.runledger.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The claim loop against a scripted share consumer: what it acknowledges, when, and how many
 * commands it takes for the threads it has. The broker's side is proven in the deploy module's
 * worker end-to-end tests.
 */
class ClaimConsumerTest {
  private static final String TOPIC = "run-commands.default";

  private final ScriptedConsumer consumer = new ScriptedConsumer();
  private final Starter starter = new Starter(8);
  private final StopSignal stop = new StopSignal();
  private final ClaimTurns turns = new ClaimTurns(1, 4, () -> {}, stop);
  private Thread thread;

  @AfterEach
  void stop() throws InterruptedException {
    stop.stop(Duration.ZERO);
    if (thread != null) {
      thread.join(10_000);
    }
  }

  @Test
  void shouldAcceptEveryCommandOfABatchOnlyOnceItsTerminalIsAcknowledged() {
    // given a fetch of three commands
    consumer.fetch(List.of(record(0), record(1), record(2)));
    start(3, Duration.ofSeconds(30));
    await().until(() -> starter.attempts.size() == 3);

    // when two of the terminals are acknowledged
    starter.attempts.get(0).terminal.complete(null);
    starter.attempts.get(2).terminal.complete(null);

    // then nothing is acknowledged while the batch is held, then all three are accepted together
    assertThat(consumer.acknowledged).isEmpty();
    starter.attempts.get(1).terminal.complete(null);
    await().until(() -> consumer.acknowledged.size() == 3);
    assertThat(consumer.acknowledged)
        .containsOnly(
            Map.entry(0L, AcknowledgeType.ACCEPT),
            Map.entry(1L, AcknowledgeType.ACCEPT),
            Map.entry(2L, AcknowledgeType.ACCEPT));
  }

  @Test
  void shouldReleaseACommandWhoseAttemptDidNotEndCleanly() {
    // given
    consumer.fetch(List.of(record(0), record(1)));
    start(2, Duration.ofSeconds(30));
    await().until(() -> starter.attempts.size() == 2);

    // when
    starter.attempts.get(0).terminal.complete(null);
    starter.attempts.get(1).terminal.completeExceptionally(new KafkaException("append failed"));

    // then
    await().until(() -> consumer.acknowledged.size() == 2);
    assertThat(consumer.acknowledged)
        .containsEntry(0L, AcknowledgeType.ACCEPT)
        .containsEntry(1L, AcknowledgeType.RELEASE);
  }

  @Test
  void shouldAcceptEndedRunsAtOnceAndHandOverWhenABatchOutlivesTheHandover() {
    // given a batch whose second run goes on
    consumer.fetch(List.of(record(0), record(1)));
    start(2, Duration.ofMillis(10));
    await().until(() -> starter.attempts.size() == 2);

    // when the first run ends
    starter.attempts.get(0).terminal.complete(null);

    // then it is accepted and sent while the other still runs, and the turn went to another
    await().until(() -> consumer.acknowledged.containsKey(0L) && consumer.commits.get() > 0);
    assertThat(consumer.acknowledged).doesNotContainKey(1L);
    await().until(() -> takeTurn());
  }

  @Test
  void shouldFetchNothingWhileFewerThreadsAreFreeThanABatch() throws InterruptedException {
    // given
    consumer.fetch(List.of(record(0)));
    assertThat(starter.reserve(7, Duration.ZERO)).isTrue();

    // when
    start(2, Duration.ofSeconds(30));

    // then
    await().pollDelay(Duration.ofMillis(300)).until(() -> true);
    assertThat(consumer.polls).hasValue(0);
    starter.unreserve(7);
    await().until(() -> starter.attempts.size() == 1);
  }

  @Test
  void shouldAbandonAndReleaseHeldRunsWhenTheWorkerStopsAndTheGraceIsOver() {
    // given a running command
    consumer.fetch(List.of(record(0)));
    start(2, Duration.ofSeconds(30));
    await().until(() -> starter.attempts.size() == 1);

    // when the worker stops with no grace
    stop.stop(Duration.ZERO);

    // then the attempt is abandoned and its command released before the consumer closes
    await().until(() -> !thread.isAlive());
    assertThat(starter.attempts.get(0).abandoned).hasSize(1);
    assertThat(consumer.acknowledged).containsExactly(Map.entry(0L, AcknowledgeType.RELEASE));
  }

  private boolean takeTurn() throws InterruptedException {
    return turns.take(Duration.ZERO);
  }

  private void start(final int batch, final Duration handover) {
    turns.openClaimers();
    thread =
        new Thread(
            new ClaimConsumer(
                consumer,
                TOPIC,
                starter,
                turns,
                new ClaimConsumer.ClaimOptions(batch, handover, 10),
                stop),
            "claim-test");
    thread.setDaemon(true);
    thread.start();
  }

  private static ConsumerRecord<byte[], byte[]> record(final long offset) {
    return new ConsumerRecord<>(
        TOPIC,
        0,
        offset,
        0L,
        TimestampType.CREATE_TIME,
        0,
        0,
        new byte[0],
        new byte[0],
        new RecordHeaders(),
        Optional.empty(),
        Optional.of((short) 1));
  }

  /** Fetches scripted batches once each; records what is acknowledged and committed. */
  private static final class ScriptedConsumer extends MockShareConsumer<byte[], byte[]> {
    private final List<List<ConsumerRecord<byte[], byte[]>>> fetches = new CopyOnWriteArrayList<>();
    final Map<Long, AcknowledgeType> acknowledged = new ConcurrentHashMap<>();
    private final Map<Long, AcknowledgeType> given = new LinkedHashMap<>();
    final AtomicInteger polls = new AtomicInteger();
    final AtomicInteger commits = new AtomicInteger();

    void fetch(final List<ConsumerRecord<byte[], byte[]>> records) {
      fetches.add(records);
    }

    @Override
    public synchronized ConsumerRecords<byte[], byte[]> poll(final Duration timeout) {
      final List<ConsumerRecord<byte[], byte[]>> next = nextFetch();
      if (next.isEmpty()) {
        try {
          Thread.sleep(Math.min(50, timeout.toMillis()));
        } catch (final InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return ConsumerRecords.empty();
      }
      return new ConsumerRecords<>(Map.of(new TopicPartition(TOPIC, 0), next), Map.of());
    }

    private synchronized List<ConsumerRecord<byte[], byte[]>> nextFetch() {
      polls.incrementAndGet();
      send();
      return fetches.isEmpty() ? List.of() : fetches.remove(0);
    }

    @Override
    public synchronized void acknowledge(
        final ConsumerRecord<byte[], byte[]> record, final AcknowledgeType type) {
      given.put(record.offset(), type);
    }

    @Override
    public synchronized void commitAsync() {
      commits.incrementAndGet();
      send();
    }

    @Override
    public synchronized Map<TopicIdPartition, Optional<KafkaException>> commitSync(
        final Duration timeout) {
      commits.incrementAndGet();
      send();
      return Map.of(new TopicIdPartition(Uuid.ZERO_UUID, 0, TOPIC), Optional.empty());
    }

    /** What was acknowledged reaches the broker only with a fetch or a commit. */
    private void send() {
      acknowledged.putAll(given);
      given.clear();
    }
  }

  /** Run threads as a semaphore; every launch is an attempt the test ends. */
  private static final class Starter implements RunStarter {
    private final Semaphore threads;
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();

    Starter(final int slots) {
      this.threads = new Semaphore(slots);
    }

    @Override
    public boolean reserve(final int count, final Duration wait) throws InterruptedException {
      return threads.tryAcquire(count, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void unreserve(final int count) {
      threads.release(count);
    }

    @Override
    public Optional<Attempt> launch(
        final ConsumerRecord<byte[], byte[]> record, final int deliveryLimit) {
      final Attempt attempt = new Attempt("run-" + record.offset());
      attempt.terminal.whenComplete((ok, error) -> threads.release());
      attempts.add(attempt);
      return Optional.of(attempt);
    }
  }

  private static final class Attempt implements ClaimedAttempt {
    private final String runId;
    final CompletableFuture<Void> terminal = new CompletableFuture<>();
    final List<String> abandoned = new CopyOnWriteArrayList<>();

    Attempt(final String runId) {
      this.runId = runId;
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public CompletableFuture<Void> terminalAcknowledged() {
      return terminal;
    }

    @Override
    public void abandon(final String reason) {
      abandoned.add(reason);
      terminal.completeExceptionally(new IllegalStateException(reason));
    }
  }
}
