package dev.runledger.deploy.bench;

import java.util.Arrays;

/** Latency samples in microseconds and their percentiles. */
public final class Latencies {
  private long[] samples = new long[1024];
  private int size;

  /** Adds one sample. */
  public synchronized void add(final long micros) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = micros;
  }

  /** How many samples were added. */
  public synchronized int count() {
    return size;
  }

  /**
   * The nearest-rank percentile in milliseconds, e.g. {@code percentile(99)}; NaN without samples.
   */
  public synchronized double percentileMillis(final double percentile) {
    if (size == 0) {
      return Double.NaN;
    }
    final long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    final int rank = (int) Math.ceil(percentile / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1000.0;
  }
}
