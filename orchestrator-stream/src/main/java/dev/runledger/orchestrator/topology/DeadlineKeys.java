package dev.runledger.orchestrator.topology;

/**
 * Keys of the deadlines store: the deadline in epoch ms, zero-padded to 19 digits so keys sort by
 * time, then {@code |} and the run id. A range scan up to now finds every passed deadline.
 */
final class DeadlineKeys {
  private static final char SEPARATOR = '|';

  private DeadlineKeys() {}

  static String key(final long deadlineMs, final String runId) {
    return pad(deadlineMs) + SEPARATOR + runId;
  }

  /** Smallest key at or after {@code ms}. */
  static String from(final long ms) {
    return pad(ms);
  }

  /** Largest key of any deadline at or before {@code ms}. */
  static String until(final long ms) {
    return pad(ms) + SEPARATOR + Character.MAX_VALUE;
  }

  static String runId(final String key) {
    return key.substring(key.indexOf(SEPARATOR) + 1);
  }

  private static String pad(final long ms) {
    return String.format("%019d", Math.max(0, ms));
  }
}
