package dev.runledger.worker.execution;

/** Why {@link RunExecution#terminalAcknowledged()} failed when the attempt was given up. */
final class AttemptAbandonedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  AttemptAbandonedException(final String reason) {
    super("attempt abandoned: " + reason);
  }
}
