package dev.runledger.projections;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * What this instance restored from the changelogs since it started: records, and the time from the
 * first restore's start to the last one's end (all stores of all tasks). {@code ledger bench}
 * reports it as the restore rate.
 */
public final class RestoreProgress implements StateRestoreListener {
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastEnd = new AtomicLong(Long.MIN_VALUE);

  @Override
  public void onRestoreStart(
      final TopicPartition partition,
      final String store,
      final long startingOffset,
      final long endingOffset) {
    firstStart.accumulateAndGet(System.nanoTime(), Math::min);
  }

  @Override
  public void onBatchRestored(
      final TopicPartition partition,
      final String store,
      final long batchEndOffset,
      final long numRestored) {
    records.addAndGet(numRestored);
  }

  @Override
  public void onRestoreEnd(
      final TopicPartition partition, final String store, final long totalRestored) {
    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
  }

  /** Records restored. */
  public long records() {
    return records.get();
  }

  /** Seconds from the first restore's start to the last one's end; 0 before any ended. */
  public double seconds() {
    final long end = lastEnd.get();
    final long start = firstStart.get();
    return end < start ? 0 : (end - start) / 1e9;
  }
}
