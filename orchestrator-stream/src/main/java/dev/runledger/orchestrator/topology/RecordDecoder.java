package dev.runledger.orchestrator.topology;

import dev.runledger.schemas.topics.DeadLetterDecoder;
import dev.runledger.schemas.topics.Topic;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes the bytes of one topic (the run ledger, run-control) into its record type and forwards
 * them, keyed by the UTF-8 key, to the child {@code next}; a record without a key or value, or
 * whose value does not decode, goes to the DLQ child {@code dlq} with {@link DeadLetters} headers
 * instead, and processing continues.
 *
 * @param <T> the topic's value type
 */
final class RecordDecoder<T> extends DecodingProcessor<T> {

  /** Code of a record that has no key. */
  static final String NO_KEY = "decode.no_key";

  private final String next;
  private final boolean tombstonesForget;

  RecordDecoder(final Topic<String, T> topic, final String next, final String dlq) {
    this(topic, next, dlq, false);
  }

  /**
   * With {@code tombstonesForget}, a record without a value is not a dead letter but a {@link
   * Forget} of its key: the run ledger's cleanup tombstone (written by {@code ledger cleanup}).
   */
  RecordDecoder(
      final Topic<String, T> topic,
      final String next,
      final String dlq,
      final boolean tombstonesForget) {
    super(topic, DeadLetterDecoder.of(topic), dlq);
    this.tombstonesForget = tombstonesForget;
    this.next = next;
  }

  @Override
  boolean beforeDecoding(final Record<byte[], byte[]> record) {
    if (record.key() == null) {
      deadLetter(record, NO_KEY, "record has no key; it must be keyed by run id");
      return true;
    }
    if (record.value() == null && tombstonesForget) {
      context()
          .forward(
              new Record<Object, Object>(
                  new String(record.key(), StandardCharsets.UTF_8),
                  new Forget(),
                  record.timestamp()),
              next);
      return true;
    }
    return false;
  }

  @Override
  void decoded(final Record<byte[], byte[]> record, final T value) {
    context()
        .forward(
            new Record<Object, Object>(
                new String(record.key(), StandardCharsets.UTF_8),
                value,
                record.timestamp(),
                record.headers()),
            next);
  }

  /** The key's records were cleaned up: whatever is kept for it can be dropped. */
  record Forget() {}
}
