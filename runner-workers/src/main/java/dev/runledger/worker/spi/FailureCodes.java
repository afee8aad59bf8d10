package dev.runledger.worker.spi;

import java.util.List;

/**
 * The stable {@code run.failed.code} values (ARCHITECTURE.md §7.6), in one place. Never rename one:
 * views and alerts key on them. Runners may add their own codes (e.g. a script's), but the worker
 * writes only these.
 */
public final class FailureCodes {
  /** The runner threw. */
  public static final String RUNNER_ERROR = "runner.error";

  /** The runner returned without a terminal result. */
  public static final String NO_OUTPUT = "no_output";

  /** The run's {@code deadline_at} passed. */
  public static final String DEADLINE_EXCEEDED = "deadline_exceeded";

  /** Someone cancelled the run; the run view shows status {@code cancelled}. */
  public static final String CANCELLED = "cancelled";

  /** Every allowed attempt ended without a result: the run is presumed to kill its workers. */
  public static final String POISON = "poison";

  /** The runner produced nothing for its inactivity timeout. */
  public static final String RUNNER_STALLED = "runner-stalled";

  /** The worker that claimed the run does not host its runner. */
  public static final String RUNNER_UNKNOWN = "runner.unknown";

  /** An external runner's process exited non-zero before a terminal result. */
  public static final String RUNNER_EXIT_NONZERO = "runner.exit_nonzero";

  /** An external runner wrote no valid protocol message. */
  public static final String RUNNER_BAD_OUTPUT = "runner.bad_output";

  /** An external runner wrote more output than its limits allow. */
  public static final String RUNNER_OUTPUT_LIMIT = "runner.output_limit";

  /** An external runner's process or HTTP request could not be started. */
  public static final String RUNNER_START_FAILED = "runner.start_failed";

  /** An HTTP runner's endpoint answered with an error status. */
  public static final String RUNNER_HTTP_STATUS = "runner.http_status";

  /** Prefix of failures a model, tool or knowledge provider caused: {@code provider.<kind>}. */
  public static final String PROVIDER_PREFIX = "provider.";

  /** Prefix of failures a host-API call caused: {@code host_api.<AgentAPIError code>}. */
  public static final String HOST_API_PREFIX = "host_api.";

  /** Every fixed code above (not the prefixes). */
  public static final List<String> ALL =
      List.of(
          RUNNER_ERROR,
          NO_OUTPUT,
          DEADLINE_EXCEEDED,
          CANCELLED,
          POISON,
          RUNNER_STALLED,
          RUNNER_UNKNOWN,
          RUNNER_EXIT_NONZERO,
          RUNNER_BAD_OUTPUT,
          RUNNER_OUTPUT_LIMIT,
          RUNNER_START_FAILED,
          RUNNER_HTTP_STATUS);

  private FailureCodes() {}

  /** {@code provider.<kind>}, e.g. {@code provider.timeout}. */
  public static String provider(final String kind) {
    return PROVIDER_PREFIX + kind;
  }

  /** {@code host_api.<code>}, e.g. {@code host_api.unauthorized}. */
  public static String hostApi(final String agentApiCode) {
    return HOST_API_PREFIX + agentApiCode;
  }

  /** True for a code of this list or one with a known prefix. */
  public static boolean isStable(final String code) {
    return ALL.contains(code)
        || code.startsWith(PROVIDER_PREFIX)
        || code.startsWith(HOST_API_PREFIX);
  }
}
