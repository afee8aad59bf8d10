package dev.runledger.worker.claim;

import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a claim consumer hands its commands to: a bounded set of run threads that turns a claimed
 * command record into a running attempt. A claim consumer {@linkplain #reserve reserves} a thread
 * for every command one fetch may bring before it asks the share group for work, so a worker never
 * holds a command it has no thread for.
 */
public interface RunStarter {

  /**
   * Waits up to {@code wait} until {@code threads} run threads are free; true if all of them are
   * now reserved (never some of them).
   */
  boolean reserve(int threads, Duration wait) throws InterruptedException;

  /** Gives back {@code threads} reservations that were not used by {@link #launch}. */
  void unreserve(int threads);

  /**
   * Starts the run a claimed record asks for, using one of the caller's reservations.
   *
   * @param deliveryLimit the share group's delivery count limit: the delivery that reaches it is
   *     not run but failed as {@code poison}
   * @return the attempt, or empty when the record is not a usable command (the caller rejects it
   *     and still owns its reservation)
   */
  Optional<? extends ClaimedAttempt> launch(
      ConsumerRecord<byte[], byte[]> record, int deliveryLimit);
}
