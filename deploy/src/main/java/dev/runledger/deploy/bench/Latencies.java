package dev.runledger.deploy.bench;

import java.util.Arrays;

/** Latency samples in microseconds and their percentiles. */
final class Latencies {
  private long[] samples = new long[1024];
  private int size;

  /** Adds one sample. */
  synchronized void add(final long micros) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = micros;
  }

  /** How many samples were added. */
  synchronized int count() {
    return size;
  }

  /** The median, 95th and 99th percentiles. */
  Percentiles percentiles() {
    return new Percentiles(percentileMillis(50), percentileMillis(95), percentileMillis(99));
  }

  /**
   * The nearest-rank percentile in milliseconds, e.g. {@code percentile(99)}; NaN without samples.
   */
  synchronized double percentileMillis(final double percentile) {
    if (size == 0) {
      return Double.NaN;
    }
    final long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    final int rank = (int) Math.ceil(percentile / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1000.0;
  }
}
