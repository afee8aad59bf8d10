package dev.runledger.worker.runners;

/**
 * The stable {@code run.failed.code} values of external runners (ARCHITECTURE.md §7.6), next to
 * those of {@link dev.runledger.worker.spi.FailureCodes}. Never rename one.
 */
final class RunnerFailures {
  /** The process exited with a non-zero status before writing a terminal result. */
  public static final String EXIT_NONZERO = "runner.exit_nonzero";

  /** The runner wrote lines but none was a valid protocol message. */
  public static final String BAD_OUTPUT = "runner.bad_output";

  /** The runner wrote a line over the line limit or more output than the total limit. */
  public static final String OUTPUT_LIMIT = "runner.output_limit";

  /** The process or HTTP request could not be started. */
  public static final String START_FAILED = "runner.start_failed";

  /** The HTTP runner's endpoint answered with an error status. */
  public static final String HTTP_STATUS = "runner.http_status";

  private RunnerFailures() {}
}
