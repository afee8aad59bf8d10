package dev.runledger.worker.spi;

/**
 * The stable {@code run.failed.code} values (SPEC §6.6). Never rename one: views and alerts key on
 * them.
 */
public final class FailureCodes {
  /** The runner threw. */
  public static final String RUNNER_ERROR = "runner.error";

  /** The runner returned without a terminal result. */
  public static final String NO_OUTPUT = "no_output";

  /** The run's {@code deadline_at} passed. */
  public static final String DEADLINE_EXCEEDED = "deadline_exceeded";

  /** Someone cancelled the run. */
  public static final String CANCELLED = "cancelled";

  /** Every allowed attempt ended without a result: the run is presumed to kill its workers. */
  public static final String POISON = "poison";

  /** The runner produced nothing for its inactivity timeout. */
  public static final String RUNNER_STALLED = "runner-stalled";

  /** The worker that claimed the run does not host its runner. */
  public static final String RUNNER_UNKNOWN = "runner.unknown";

  private FailureCodes() {}
}
