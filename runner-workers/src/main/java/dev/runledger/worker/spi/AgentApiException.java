package dev.runledger.worker.spi;

/**
 * A refused or failed host-API call: the seeds' {@code AgentAPIError}, with a stable code and a
 * message a runner author can act on.
 */
public final class AgentApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The call is outside the run's authorization snapshot, or the run/attempt is not active. */
  public static final String UNAUTHORIZED = "unauthorized";

  /** The thing asked for does not exist (or the method is unknown). */
  public static final String NOT_FOUND = "not_found";

  /** A parameter is missing or malformed. */
  public static final String INVALID_ARGUMENT = "invalid_argument";

  /** A value or content is over its size limit. */
  public static final String PAYLOAD_TOO_LARGE = "payload_too_large";

  /** The run's deadline has passed. */
  public static final String DEADLINE_EXCEEDED = "deadline_exceeded";

  /** Too many calls. */
  public static final String RATE_LIMITED = "rate_limited";

  /** The host failed to serve the call. */
  public static final String RUNTIME_ERROR = "runtime_error";

  private final String code;

  public AgentApiException(final String code, final String message) {
    super(message);
    this.code = code;
  }

  /** One of the code constants of this class. */
  public String code() {
    return code;
  }
}
