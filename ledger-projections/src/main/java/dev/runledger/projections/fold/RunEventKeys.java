package dev.runledger.projections.fold;

/**
 * Keys of the {@code run-events} store: {@code run_id + "/" + seq} with {@code seq} zero-padded to
 * 20 digits, so the keys of one run sort by {@code seq} and a range scan returns its events in
 * order.
 */
public final class RunEventKeys {
  private RunEventKeys() {}

  /** The key of event {@code seq} of a run. */
  public static String key(final String runId, final long seq) {
    return runId + "/" + ViewKeys.padded(seq);
  }

  /** The first key of a run's events after {@code seq} (inclusive lower bound). */
  public static String after(final String runId, final long seq) {
    return key(runId, seq + 1);
  }

  /** The last possible key of a run's events (inclusive upper bound). */
  public static String last(final String runId) {
    return key(runId, Long.MAX_VALUE);
  }
}
