package dev.runledger.worker.claim;

import java.util.concurrent.CompletableFuture;

/** An attempt a claim consumer holds its command for, until the attempt settles. */
public interface ClaimedAttempt {

  String runId();

  /** The attempt number: the command's delivery count. */
  int attempt();

  /**
   * Completes when the attempt's terminal record and every record before it were acknowledged by
   * the broker (then the command may be accepted); exceptionally when they could not be written or
   * the attempt was {@linkplain #abandon abandoned} (then the command is released).
   */
  CompletableFuture<Void> terminalAcknowledged();

  /**
   * Gives the attempt up without a terminal record: the lease was lost, or the worker is closing
   * and releases the command so another worker runs the next attempt.
   */
  void abandon(String reason);
}
