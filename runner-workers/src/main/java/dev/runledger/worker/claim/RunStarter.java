package dev.runledger.worker.claim;

import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a claim slot hands its commands to: a bounded set of run threads that turns a claimed
 * command record into a running attempt. A slot {@linkplain #reserve reserves} a thread before it
 * asks the share group for work, so a worker never holds a command it has no thread for.
 */
public interface RunStarter {

  /** Waits up to {@code wait} for a free run thread; true if one is now reserved. */
  boolean reserve(Duration wait) throws InterruptedException;

  /** Gives back a reservation that was not used by {@link #launch}. */
  void unreserve();

  /**
   * Starts the run a claimed record asks for, using the caller's reservation.
   *
   * @param deliveryLimit the share group's delivery count limit: the delivery that reaches it is
   *     not run but failed as {@code poison}
   * @return the attempt, or empty when the record is not a usable command (the caller rejects it
   *     and still owns its reservation)
   */
  Optional<? extends ClaimedAttempt> launch(
      ConsumerRecord<byte[], byte[]> record, int deliveryLimit);
}
