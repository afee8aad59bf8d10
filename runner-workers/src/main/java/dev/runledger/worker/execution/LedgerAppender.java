package dev.runledger.worker.execution;

import dev.runledger.avro.LedgerRecord;
import java.util.concurrent.CompletableFuture;

/**
 * Where a run's records go: the {@code run-ledger} topic, keyed by {@code run_id}. Records of one
 * run are appended in call order (one partition, idempotent producer).
 */
@FunctionalInterface
public interface LedgerAppender {

  /**
   * Appends a record without blocking on the broker.
   *
   * @return completes when the broker acknowledged the record (acks=all), or exceptionally when it
   *     could not be written
   */
  CompletableFuture<Void> append(LedgerRecord record);

  /**
   * The largest record {@link #append} takes, in bytes of key plus encoded value ({@code
   * record.max.bytes}, ARCHITECTURE.md §2.8); unlimited unless the appender says otherwise.
   */
  default int maxRecordBytes() {
    return Integer.MAX_VALUE;
  }

  /** {@code record}'s size as {@link #maxRecordBytes()} counts it: its key and encoded value. */
  default int encodedSize(final LedgerRecord record) {
    return 0;
  }
}
