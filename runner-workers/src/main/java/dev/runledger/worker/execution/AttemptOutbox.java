package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.worker.spi.Results;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * Hands one attempt's records to the {@link LedgerAppender} in the order they were {@linkplain
 * #offer offered}, outside the lock of whoever offers them.
 *
 * <p>Records are offered under the attempt's lock (so offer order is sequence order) and appended
 * by {@link #drain}, called after that lock is released: one thread at a time appends everything
 * queued, and a thread that finds another draining leaves its records to it. So a slow append never
 * blocks a cancel, a stall check or the runner. A thread that is draining is not interrupted in the
 * middle of an append ({@link #interrupt}): the interrupt is delivered when it has finished.
 */
final class AttemptOutbox {
  private final LedgerAppender appender;
  private final Queue<LedgerRecord> queue = new ArrayDeque<>();
  private final List<CompletableFuture<Void>> appends = new ArrayList<>();
  private final CompletableFuture<Void> terminalAppended = new CompletableFuture<>();
  private final CompletableFuture<Void> terminalAcknowledged = new CompletableFuture<>();
  private Thread drainer;
  private boolean interruptDrainer;

  AttemptOutbox(final LedgerAppender appender) {
    this.appender = appender;
  }

  /** Completes once the terminal was handed to the appender, or the attempt settled without one. */
  CompletableFuture<Void> terminalAppended() {
    return terminalAppended;
  }

  /** Completes once the terminal and every record before it were acknowledged. */
  CompletableFuture<Void> terminalAcknowledged() {
    return terminalAcknowledged;
  }

  /** Queues records for {@link #drain}, in this order after everything offered before. */
  synchronized void offer(final List<LedgerRecord> records) {
    queue.addAll(records);
  }

  /** Appends everything queued, unless another thread is doing so already. */
  void drain() {
    synchronized (this) {
      if (drainer != null) {
        return;
      }
      drainer = Thread.currentThread();
    }
    try {
      for (LedgerRecord record = next(); record != null; record = next()) {
        send(record);
      }
    } finally {
      stopDraining();
    }
  }

  /** Interrupts {@code thread}, or, while it is draining, once it has finished. */
  synchronized void interrupt(final Thread thread) {
    if (thread == drainer) {
      interruptDrainer = true;
    } else {
      thread.interrupt();
    }
  }

  /**
   * Settles the attempt without a terminal record: normally when it was skipped, exceptionally when
   * it was abandoned.
   */
  void settleWithoutTerminal(final Throwable failure) {
    if (failure == null) {
      terminalAcknowledged.complete(null);
    } else {
      terminalAcknowledged.completeExceptionally(failure);
    }
    terminalAppended.complete(null);
  }

  /** The next queued record; when there is none, this thread stops draining. */
  private synchronized LedgerRecord next() {
    final LedgerRecord record = queue.poll();
    if (record == null) {
      stopDraining();
    }
    return record;
  }

  /** Ends this thread's drain, and delivers an interrupt that waited for it. */
  private synchronized void stopDraining() {
    if (drainer != Thread.currentThread()) {
      return;
    }
    drainer = null;
    if (interruptDrainer) {
      interruptDrainer = false;
      Thread.currentThread().interrupt();
    }
  }

  /** Appends one record; called by the draining thread only. */
  private void send(final LedgerRecord record) {
    CompletableFuture<Void> appended;
    try {
      appended = appender.append(record);
    } catch (final RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    appends.add(appended);
    if (record.getBody() instanceof AgentRunResult result && Results.isTerminal(result)) {
      CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new))
          .whenComplete(
              (ok, failure) -> {
                if (failure == null) {
                  terminalAcknowledged.complete(null);
                } else {
                  terminalAcknowledged.completeExceptionally(failure);
                }
              });
      terminalAppended.complete(null);
    }
  }
}
