package dev.runledger.worker.execution;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LedgerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A ledger appender that keeps what it is given; acknowledges at once, or holds the
 * acknowledgements until {@link #acknowledgeAll()} when built with {@code autoAck=false}.
 */
final class RecordingAppender implements LedgerAppender {
  private final boolean autoAck;
  private final List<LedgerRecord> records = new ArrayList<>();
  private final List<CompletableFuture<Void>> pending = new ArrayList<>();

  RecordingAppender(final boolean autoAck) {
    this.autoAck = autoAck;
  }

  @Override
  public synchronized CompletableFuture<Void> append(final LedgerRecord record) {
    records.add(record);
    if (autoAck) {
      return CompletableFuture.completedFuture(null);
    }
    final CompletableFuture<Void> future = new CompletableFuture<>();
    pending.add(future);
    return future;
  }

  synchronized List<LedgerRecord> records() {
    return List.copyOf(records);
  }

  /** The result types in ledger order ({@code run.claimed} for the claim). */
  synchronized List<String> types() {
    return records.stream()
        .map(
            r ->
                r.getBody() instanceof AgentRunResult result
                    ? result.getType()
                    : r.getBody().getClass().getSimpleName())
        .toList();
  }

  synchronized void acknowledgeAll() {
    pending.forEach(f -> f.complete(null));
  }

  synchronized void fail(final int index, final RuntimeException error) {
    pending.get(index).completeExceptionally(error);
  }
}
