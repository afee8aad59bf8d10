package dev.runledger.worker.claim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One claim consumer of a worker: a share consumer ({@code share.acquire.mode=record_limit}, {@code
 * max.poll.records} = the batch size, explicit acknowledgement) on a thread of its own, feeding the
 * worker's run threads. See {@link ShareGroupClaimer} for the measured broker behaviour this rests
 * on.
 *
 * <p>The loop: take a claim turn ({@link ClaimTurns}), reserve a run thread for every command one
 * fetch may bring ({@link RunStarter#reserve}), poll, start an attempt per command ({@link
 * RunStarter#launch}) and give back the unused threads; then hold the batch until every attempt has
 * settled. A batch that outlives the hand-over threshold gives the turn to another consumer, since
 * this one acquires nothing until its batch is settled. Runs older than a third of the lock are
 * renewed ({@code RENEW}); only runs still alive are.
 *
 * <p><b>Why each acknowledgement is safe.</b>
 *
 * <ul>
 *   <li>{@code ACCEPT} is given only once the attempt's terminal record and every record before it
 *       were acknowledged by the broker ({@link ClaimedAttempt#terminalAcknowledged}). It is sent
 *       with the consumer's next fetch, or at once by {@code commitAsync} when no fetch follows
 *       soon (the consumer has handed its turn over, has no free threads, or is closing). If it
 *       never arrives (the worker dies first), the lock expires and the broker delivers the command
 *       again as the next attempt: the run's terminal is already in the ledger, so that attempt is
 *       skipped or fenced, never a second result (the same as a worker dying just before a
 *       synchronous commit).
 *   <li>{@code RELEASE} (an attempt that failed to write its records or was abandoned, or a command
 *       fetched while the worker stops) hands the command to the next attempt; the delivery count
 *       grows, so a run that keeps failing reaches the delivery limit and is failed {@code poison}.
 *   <li>{@code REJECT} only for a record that is not a usable {@code StartRun}; it went to the DLQ.
 *   <li>{@code RENEW} is committed synchronously: a lost lock shows in the result and the attempts
 *       it covered are abandoned (the broker gives their commands to another worker), and a renewed
 *       command that is not delivered back within its lock is abandoned too. (Should the broker
 *       return only part of a renewed batch, the returned part is renewed again with the next poll,
 *       since a poll needs every earlier delivery acknowledged.) So a run never goes on here
 *       without a lease; at worst a run is abandoned that could have gone on, costing an attempt.
 * </ul>
 */
final class ClaimConsumer implements Runnable {
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration REDELIVERY_POLL = Duration.ofMillis(200);
  static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(15);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_LOCK = Duration.ofSeconds(30);
  static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);

  /** How long a consumer beyond the claiming ones may stay idle before it closes. */
  static final Duration IDLE_RETIRE = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(ClaimConsumer.class);

  private final ShareConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final RunStarter starter;
  private final ClaimTurns turns;
  private final int batch;
  private final Duration handover;
  private final int deliveryLimit;
  private final StopSignal stop;

  /** Whether this consumer holds a claim turn. */
  private boolean turn;

  /** Whether acknowledgements were given that no request has carried to the broker yet. */
  private boolean unsent;

  private long idleSince = System.nanoTime();

  ClaimConsumer(
      final ShareConsumer<byte[], byte[]> consumer,
      final String topic,
      final RunStarter starter,
      final ClaimTurns turns,
      final ClaimOptions options,
      final StopSignal stop) {
    this.consumer = consumer;
    this.topic = topic;
    this.starter = starter;
    this.turns = turns;
    this.batch = options.batch();
    this.handover = options.handover();
    this.deliveryLimit = options.deliveryLimit();
    this.stop = stop;
  }

  /** The options every claim consumer of a worker shares. */
  record ClaimOptions(int batch, Duration handover, int deliveryLimit) {}

  @Override
  public void run() {
    boolean retired = false;
    try {
      consumer.setAcknowledgementCommitCallback(ClaimConsumer::onCommitted);
      consumer.subscribe(List.of(topic));
      while (!stop.stopping() && !retired) {
        try {
          claimOnce();
        } catch (final KafkaException | IllegalStateException e) {
          LOG.error("claiming from {} failed; retrying in {}", topic, ERROR_BACKOFF, e);
          Thread.sleep(ERROR_BACKOFF.toMillis());
        }
        retired = !turn && elapsed(idleSince).compareTo(IDLE_RETIRE) >= 0 && turns.retire();
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (turn) {
        turns.give();
      }
      if (!retired) {
        turns.closed();
      }
      flush(true);
      // Releases anything still acquired, so another worker can take it at once.
      LOG.debug("{}: closing its share consumer", Thread.currentThread().getName());
      consumer.close(CLOSE_TIMEOUT);
      LOG.debug("{}: share consumer closed", Thread.currentThread().getName());
    }
  }

  private void claimOnce() throws InterruptedException {
    if (!turn) {
      flush(false);
      turn = turns.take(POLL);
      return;
    }
    if (!starter.reserve(batch, POLL)) {
      flush(false); // every run thread is busy: claim nothing, but settle what ended
      return;
    }
    int unused = batch;
    final ClaimBatch held = new ClaimBatch();
    List<ConsumerRecord<byte[], byte[]>> records = List.of();
    int handled = 0;
    try {
      records = poll(POLL);
      for (final ConsumerRecord<byte[], byte[]> record : records) {
        if (stop.stopping() || unused == 0) {
          // unused == 0 cannot happen in record_limit mode; never run a command without a thread
          acknowledge(record, AcknowledgeType.RELEASE);
        } else {
          final Optional<? extends ClaimedAttempt> attempt = starter.launch(record, deliveryLimit);
          if (attempt.isEmpty()) {
            acknowledge(record, AcknowledgeType.REJECT);
          } else {
            unused--;
            held.add(record, attempt.get());
          }
        }
        handled++;
      }
    } catch (final RuntimeException e) {
      // every record of the fetch must be acknowledged before the next poll: release the rest
      giveUp(held, "claiming failed: " + e, true);
      for (final ConsumerRecord<byte[], byte[]> rest : records.subList(handled, records.size())) {
        releaseQuietly(rest);
      }
      throw e;
    } finally {
      starter.unreserve(unused);
    }
    if (!held.isEmpty()) {
      hold(held);
      idleSince = System.nanoTime();
    }
  }

  private void hold(final ClaimBatch held) throws InterruptedException {
    final long claimedAt = System.nanoTime();
    long renewAt = claimedAt + renewInterval().toNanos();
    try {
      while (true) {
        settleEnded(held);
        if (held.isEmpty()) {
          return; // the acknowledgements go with the next fetch
        }
        if (turn && elapsed(claimedAt).compareTo(handover) >= 0) {
          turns.handOver();
          turn = false;
        }
        if (!turn) {
          flush(false); // no fetch soon: send what ended now
        }
        if (stop.graceOver()) {
          giveUp(held, "the worker is shutting down; the run is released to another worker", true);
          return;
        }
        final long now = System.nanoTime();
        if (now - renewAt >= 0) {
          renew(held);
          renewAt = System.nanoTime() + renewInterval().toNanos();
          continue;
        }
        long wait = renewAt - now;
        if (turn) {
          wait = Math.min(wait, claimedAt + handover.toNanos() - now);
        }
        // a stop wakes the wait once, then waits are capped by what is left of the grace
        held.awaitAnyEnd(
            stop.cap(Duration.ofNanos(wait)),
            stop.stopping() ? new CompletableFuture<>() : stop.stopped());
      }
    } catch (final InterruptedException e) {
      giveUp(held, "the claim thread was interrupted", true);
      throw e;
    } catch (final KafkaException | IllegalStateException e) {
      LOG.error("claim consumer lost its commands", e);
      giveUp(held, "the share consumer failed: " + e, true);
    }
  }

  /** Acknowledges every command whose attempt settled: ACCEPT after a clean terminal. */
  private void settleEnded(final ClaimBatch held) {
    for (final ClaimBatch.Held command : held.removeEnded()) {
      acknowledge(command.record(), settlement(command.attempt()));
    }
  }

  private static AcknowledgeType settlement(final ClaimedAttempt attempt) {
    try {
      attempt.terminalAcknowledged().get();
      return AcknowledgeType.ACCEPT;
    } catch (final ExecutionException e) {
      LOG.warn(
          "run {} attempt {} did not end cleanly; releasing its command: {}",
          attempt.runId(),
          attempt.attempt(),
          e.getCause().toString());
      return AcknowledgeType.RELEASE;
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      return AcknowledgeType.RELEASE;
    }
  }

  /**
   * Extends the leases of the runs still alive: {@code RENEW} each, commit synchronously, then poll
   * until the broker has delivered every renewed command back (it acquires nothing new meanwhile).
   * A command whose renewal fails or that does not come back within its lock is abandoned.
   */
  private void renew(final ClaimBatch held) {
    held.all().forEach(command -> consumer.acknowledge(command.record(), AcknowledgeType.RENEW));
    held.awaitRedelivery();
    final Optional<String> failure = commit();
    if (failure.isPresent()) {
      giveUp(held, "lease lost: renewing failed with " + failure.get(), false);
      return;
    }
    final long deadline = System.nanoTime() + lockDuration().toNanos();
    while (!held.missing().isEmpty() && System.nanoTime() - deadline < 0) {
      for (final ConsumerRecord<byte[], byte[]> record : poll(REDELIVERY_POLL)) {
        if (!held.deliveredBack(record)) {
          LOG.warn("received another command while renewing; releasing {}", position(record));
          acknowledge(record, AcknowledgeType.RELEASE);
        }
      }
      if (!held.missing().isEmpty() && !held.returned().isEmpty()) {
        // every delivery must be acknowledged before the next poll: renew the returned ones again
        held.returned().forEach(c -> consumer.acknowledge(c.record(), AcknowledgeType.RENEW));
        held.awaitRedelivery();
        unsent = true;
      }
    }
    for (final ClaimBatch.Held lost : held.missing()) {
      lost.attempt()
          .abandon("lease lost: the renewed command was not delivered back within its lock");
      held.remove(lost);
    }
  }

  /**
   * Abandons every held attempt; with {@code release}, releases the commands whose latest delivery
   * is not acknowledged yet (a renewed one is already acknowledged and expires on its own).
   */
  private void giveUp(final ClaimBatch held, final String reason, final boolean release) {
    for (final ClaimBatch.Held command : held.removeAll()) {
      command.attempt().abandon(reason);
      if (release && command.back()) {
        releaseQuietly(command.record());
      }
    }
  }

  private void releaseQuietly(final ConsumerRecord<byte[], byte[]> record) {
    try {
      acknowledge(record, AcknowledgeType.RELEASE);
    } catch (final KafkaException | IllegalStateException e) {
      LOG.warn("could not release {}: {}", position(record), e.toString());
    }
  }

  private void acknowledge(
      final ConsumerRecord<byte[], byte[]> record, final AcknowledgeType type) {
    consumer.acknowledge(record, type);
    unsent = true;
  }

  /** Sends the acknowledgements no fetch has carried yet: asynchronously, or synchronously. */
  private void flush(final boolean sync) {
    if (!unsent) {
      return;
    }
    unsent = false;
    try {
      if (sync) {
        commit().ifPresent(error -> LOG.warn("could not acknowledge commands on close: {}", error));
      } else {
        consumer.commitAsync();
      }
    } catch (final KafkaException | IllegalStateException e) {
      LOG.warn("could not send acknowledgements: {}", e.toString());
    }
  }

  /** Where an asynchronous acknowledgement failed: the broker may deliver those commands again. */
  private static void onCommitted(
      final Map<TopicIdPartition, Set<Long>> offsets, final Exception error) {
    if (error != null) {
      LOG.warn(
          "could not acknowledge {} ({}); the broker may deliver them again as new attempts",
          offsets,
          error.toString());
    }
  }

  private Optional<String> commit() {
    unsent = false;
    final Map<TopicIdPartition, Optional<KafkaException>> results =
        consumer.commitSync(COMMIT_TIMEOUT);
    return results.values().stream().flatMap(Optional::stream).map(Throwable::toString).findFirst();
  }

  private List<ConsumerRecord<byte[], byte[]>> poll(final Duration timeout) {
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    consumer.poll(timeout).forEach(records::add);
    unsent = false; // the fetch carried every acknowledgement given so far
    return records;
  }

  private Duration lockDuration() {
    return consumer.acquisitionLockTimeoutMs().map(Duration::ofMillis).orElse(DEFAULT_LOCK);
  }

  /** A third of the lock, so two renewals can fail before the lock runs out. */
  private Duration renewInterval() {
    final long third = lockDuration().toMillis() / 3;
    return Duration.ofMillis(Math.max(1_000, Math.min(20_000, third)));
  }

  private static Duration elapsed(final long since) {
    return Duration.ofNanos(System.nanoTime() - since);
  }

  private static String position(final ConsumerRecord<?, ?> record) {
    return ClaimBatch.position(record);
  }
}
