package dev.runledger.worker.claim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One slot of a worker: one share consumer ({@code share.acquire.mode=record_limit}, {@code
 * max.poll.records=1}, explicit acknowledgement) that holds at most one command at a time. See
 * {@link ShareGroupClaimer} for why.
 *
 * <p>The loop: reserve a run thread, poll; a claimed command starts an attempt ({@link
 * RunStarter}), and the slot then holds the record — waiting up to a third of the lock duration for
 * the terminal record to be acknowledged, otherwise acknowledging {@code RENEW} with a synchronous
 * commit and polling the record back (a renewed record is delivered again, same delivery count) —
 * until it can {@code ACCEPT} it. A failed renewal means the lease is lost: the attempt is
 * abandoned, since the broker will give the command to another worker as the next attempt.
 */
final class ClaimSlot implements Runnable {
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration REDELIVERY_POLL = Duration.ofMillis(200);
  static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(15);
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_LOCK = Duration.ofSeconds(30);
  static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(ClaimSlot.class);

  private final ShareConsumer<byte[], byte[]> consumer;
  private final String topic;
  private final RunStarter starter;
  private final int deliveryLimit;
  private final StopSignal stop;

  ClaimSlot(
      final ShareConsumer<byte[], byte[]> consumer,
      final String topic,
      final RunStarter starter,
      final int deliveryLimit,
      final StopSignal stop) {
    this.consumer = consumer;
    this.topic = topic;
    this.starter = starter;
    this.deliveryLimit = deliveryLimit;
    this.stop = stop;
  }

  @Override
  public void run() {
    try {
      consumer.subscribe(List.of(topic));
      while (!stop.stopping()) {
        try {
          claimOnce();
        } catch (final KafkaException | IllegalStateException e) {
          LOG.error("claiming from {} failed; retrying in {}", topic, ERROR_BACKOFF, e);
          Thread.sleep(ERROR_BACKOFF.toMillis());
        }
      }
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // Releases anything still acquired, so another worker can take it at once.
      LOG.debug("{}: closing its share consumer", Thread.currentThread().getName());
      consumer.close(CLOSE_TIMEOUT);
      LOG.debug("{}: share consumer closed", Thread.currentThread().getName());
    }
  }

  private void claimOnce() throws InterruptedException {
    if (!starter.reserve(POLL)) {
      return; // every run thread is busy: claim nothing
    }
    boolean launched = false;
    try {
      final List<ConsumerRecord<byte[], byte[]>> records = poll(POLL);
      if (records.isEmpty()) {
        return;
      }
      // max.poll.records=1 in record_limit mode: more than one record is not expected.
      for (final ConsumerRecord<byte[], byte[]> extra : records.subList(1, records.size())) {
        LOG.warn("slot received more than one command; releasing {}", position(extra));
        consumer.acknowledge(extra, AcknowledgeType.RELEASE);
      }
      final ConsumerRecord<byte[], byte[]> record = records.get(0);
      if (stop.stopping()) {
        settle(record, AcknowledgeType.RELEASE);
        return;
      }
      final Optional<? extends ClaimedAttempt> attempt = starter.launch(record, deliveryLimit);
      if (attempt.isEmpty()) {
        settle(record, AcknowledgeType.REJECT);
        return;
      }
      launched = true;
      hold(record, attempt.get());
    } finally {
      if (!launched) {
        starter.unreserve();
      }
    }
  }

  private void hold(final ConsumerRecord<byte[], byte[]> first, final ClaimedAttempt attempt)
      throws InterruptedException {
    ConsumerRecord<byte[], byte[]> held = first;
    try {
      while (held != null) {
        if (awaitTerminal(attempt, stop.cap(renewInterval()))) {
          settle(
              held,
              attempt.terminalAcknowledged().isCompletedExceptionally()
                  ? AcknowledgeType.RELEASE
                  : AcknowledgeType.ACCEPT);
          return;
        }
        if (stop.graceOver()) {
          attempt.abandon("the worker is shutting down; the run is released to another worker");
          settle(held, AcknowledgeType.RELEASE);
          return;
        }
        held = renew(held, attempt);
      }
    } catch (final InterruptedException e) {
      attempt.abandon("the claim thread was interrupted");
      throw e;
    } catch (final KafkaException e) {
      attempt.abandon("the share consumer failed: " + e);
      LOG.error("slot lost its command for run {}", attempt.runId(), e);
      releaseAfterFailure(held);
    }
  }

  /** True when the attempt has settled (terminal acknowledged, or failed/abandoned). */
  private static boolean awaitTerminal(final ClaimedAttempt attempt, final Duration wait)
      throws InterruptedException {
    try {
      attempt.terminalAcknowledged().get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (final ExecutionException e) {
      LOG.warn(
          "run {} attempt {} did not end cleanly; releasing its command: {}",
          attempt.runId(),
          attempt.attempt(),
          e.getCause().toString());
      return true;
    } catch (final TimeoutException e) {
      return false;
    }
  }

  /** Extends the lease; returns the record as delivered again, or null when the lease is lost. */
  private ConsumerRecord<byte[], byte[]> renew(
      final ConsumerRecord<byte[], byte[]> held, final ClaimedAttempt attempt) {
    consumer.acknowledge(held, AcknowledgeType.RENEW);
    final Optional<String> failure = commit();
    if (failure.isPresent()) {
      attempt.abandon("lease lost: renewing failed with " + failure.get());
      return null;
    }
    final long deadline = System.nanoTime() + lockDuration().toNanos();
    while (System.nanoTime() - deadline < 0) {
      ConsumerRecord<byte[], byte[]> back = null;
      for (final ConsumerRecord<byte[], byte[]> record : poll(REDELIVERY_POLL)) {
        if (samePosition(record, held) && back == null) {
          back = record;
        } else {
          LOG.warn("slot received another command while renewing; releasing {}", position(record));
          consumer.acknowledge(record, AcknowledgeType.RELEASE);
        }
      }
      if (back != null) {
        return back;
      }
    }
    attempt.abandon("lease lost: the renewed command was not delivered back within its lock");
    return null;
  }

  private void settle(final ConsumerRecord<byte[], byte[]> record, final AcknowledgeType type) {
    consumer.acknowledge(record, type);
    commit()
        .ifPresent(
            error ->
                LOG.warn(
                    "could not acknowledge {} as {} ({}); the broker may deliver it again as a"
                        + " new attempt",
                    position(record),
                    type,
                    error));
  }

  private void releaseAfterFailure(final ConsumerRecord<byte[], byte[]> held) {
    if (held == null) {
      return;
    }
    try {
      settle(held, AcknowledgeType.RELEASE);
    } catch (final KafkaException | IllegalStateException e) {
      LOG.warn("could not release {} after a consumer failure: {}", position(held), e.toString());
    }
  }

  private Optional<String> commit() {
    final Map<TopicIdPartition, Optional<KafkaException>> results =
        consumer.commitSync(COMMIT_TIMEOUT);
    return results.values().stream().flatMap(Optional::stream).map(Throwable::toString).findFirst();
  }

  private List<ConsumerRecord<byte[], byte[]>> poll(final Duration timeout) {
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    consumer.poll(timeout).forEach(records::add);
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

  private static boolean samePosition(
      final ConsumerRecord<?, ?> record, final ConsumerRecord<?, ?> other) {
    return record.topic().equals(other.topic())
        && record.partition() == other.partition()
        && record.offset() == other.offset();
  }

  private static String position(final ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
