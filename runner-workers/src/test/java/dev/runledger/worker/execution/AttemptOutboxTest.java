package dev.runledger.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.RunLiveness;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.spi.Results;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AttemptOutboxTest {

  @Test
  void shouldAppendInOfferOrderAndLeaveRecordsToTheDrainingThreadWhenAnotherIsDraining()
      throws Exception {
    // given an appender that blocks on the first record
    final CountDownLatch inAppend = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final RecordingAppender recorded = new RecordingAppender(true);
    final AttemptOutbox outbox =
        new AttemptOutbox(
            record -> {
              if (record.getSequence() == 1) {
                inAppend.countDown();
                await(release);
              }
              return recorded.append(record);
            });
    outbox.offer(List.of(record(1)));
    final CompletableFuture<Void> first = CompletableFuture.runAsync(outbox::drain);
    inAppend.await(5, TimeUnit.SECONDS);

    // when another thread offers and drains while the first is appending
    outbox.offer(List.of(record(2), terminal(3)));
    outbox.drain();

    // then it returns at once and the first thread appends its records, in order
    assertThat(recorded.records()).isEmpty();
    release.countDown();
    first.get(5, TimeUnit.SECONDS);
    assertThat(recorded.records())
        .extracting(LedgerRecord::getSequence)
        .containsExactly(1L, 2L, 3L);
    assertThat(outbox.terminalAppended()).isCompleted();
    assertThat(outbox.terminalAcknowledged()).isCompleted();
  }

  @Test
  void shouldInterruptADrainingThreadOnlyWhenItHasFinishedAppending() throws Exception {
    // given a thread that is appending
    final CountDownLatch inAppend = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean interruptedInAppend = new AtomicBoolean();
    final AtomicBoolean interruptedAfter = new AtomicBoolean();
    final AttemptOutbox outbox =
        new AttemptOutbox(
            record -> {
              inAppend.countDown();
              await(release);
              interruptedInAppend.set(Thread.currentThread().isInterrupted());
              return CompletableFuture.completedFuture(null);
            });
    outbox.offer(List.of(record(1)));
    final Thread drainer =
        new Thread(
            () -> {
              outbox.drain();
              interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
    drainer.start();
    inAppend.await(5, TimeUnit.SECONDS);

    // when
    outbox.interrupt(drainer);
    release.countDown();
    drainer.join(5_000);

    // then
    assertThat(interruptedInAppend).isFalse();
    assertThat(interruptedAfter).isTrue();
  }

  @Test
  void shouldFailTheTerminalAcknowledgementWhenAnAppendThrows() {
    // given
    final AttemptOutbox outbox =
        new AttemptOutbox(
            record -> {
              if (record.getSequence() == 1) {
                throw new IllegalStateException("producer closed");
              }
              return CompletableFuture.completedFuture(null);
            });

    // when
    outbox.offer(List.of(record(1), terminal(2)));
    outbox.drain();

    // then
    assertThat(outbox.terminalAppended()).isCompleted();
    assertThat(outbox.terminalAcknowledged()).isCompletedExceptionally();
  }

  private static void await(final CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static LedgerRecord record(final long sequence) {
    return record(
        sequence, RunLiveness.newBuilder().setPhase(LivenessPhase.WAITING_RUNNER).build());
  }

  private static LedgerRecord terminal(final long sequence) {
    return record(sequence, Results.completed(Results.STOP, null));
  }

  private static LedgerRecord record(final long sequence, final Object body) {
    return LedgerRecord.newBuilder()
        .setRunId("run-1")
        .setAttempt(1)
        .setSequence(sequence)
        .setTimestamp(Fixtures.NOW)
        .setProducer("worker-a")
        .setBody(body)
        .build();
  }
}
