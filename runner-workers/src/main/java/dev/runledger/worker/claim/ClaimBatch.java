package dev.runledger.worker.claim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The commands one claim consumer holds and the attempts they started, by record position. A
 * command's record is the one of the consumer's latest fetch that returned it: after a renewal the
 * broker delivers it again (same delivery count) and that delivery is the one to acknowledge.
 */
final class ClaimBatch {
  /** A held command: its latest delivery, its attempt, and whether that delivery is here yet. */
  static final class Held {
    private ConsumerRecord<byte[], byte[]> record;
    private final ClaimedAttempt attempt;
    private boolean back = true;

    Held(final ConsumerRecord<byte[], byte[]> record, final ClaimedAttempt attempt) {
      this.record = record;
      this.attempt = attempt;
    }

    ConsumerRecord<byte[], byte[]> record() {
      return record;
    }

    ClaimedAttempt attempt() {
      return attempt;
    }

    /** Whether its latest delivery is here (not acknowledged as renewed and awaited back). */
    boolean back() {
      return back;
    }

    boolean ended() {
      return attempt.terminalAcknowledged().isDone();
    }
  }

  private final Map<String, Held> held = new LinkedHashMap<>();

  void add(final ConsumerRecord<byte[], byte[]> record, final ClaimedAttempt attempt) {
    held.put(position(record), new Held(record, attempt));
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  int size() {
    return held.size();
  }

  List<Held> all() {
    return new ArrayList<>(held.values());
  }

  /** Removes and returns the commands whose attempts have settled. */
  List<Held> removeEnded() {
    final List<Held> ended = new ArrayList<>();
    for (final Iterator<Held> it = held.values().iterator(); it.hasNext(); ) {
      final Held next = it.next();
      if (next.ended()) {
        ended.add(next);
        it.remove();
      }
    }
    return ended;
  }

  /** Removes and returns every command. */
  List<Held> removeAll() {
    final List<Held> all = all();
    held.clear();
    return all;
  }

  /** The renewed commands are acknowledged: each waits to be delivered back. */
  void awaitRedelivery() {
    held.values().forEach(h -> h.back = false);
  }

  /** Takes a delivery back; false when the record is not one of this batch's waiting commands. */
  boolean deliveredBack(final ConsumerRecord<byte[], byte[]> record) {
    final Held waiting = held.get(position(record));
    if (waiting == null || waiting.back) {
      return false;
    }
    waiting.record = record;
    waiting.back = true;
    return true;
  }

  /** The commands not delivered back yet. */
  List<Held> missing() {
    return held.values().stream().filter(h -> !h.back).toList();
  }

  /** The commands delivered back. */
  List<Held> returned() {
    return held.values().stream().filter(h -> h.back).toList();
  }

  void remove(final Held command) {
    held.remove(position(command.record));
  }

  /** Waits up to {@code wait} until at least one held attempt has settled, or {@code wake}. */
  void awaitAnyEnd(final Duration wait, final CompletableFuture<?> wake)
      throws InterruptedException {
    final CompletableFuture<?>[] ends =
        Stream.concat(
                held.values().stream().map(h -> h.attempt.terminalAcknowledged()), Stream.of(wake))
            .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.anyOf(ends).get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
    } catch (final ExecutionException | TimeoutException e) {
      // settled exceptionally (the caller releases it) or not yet
    }
  }

  static String position(final ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
