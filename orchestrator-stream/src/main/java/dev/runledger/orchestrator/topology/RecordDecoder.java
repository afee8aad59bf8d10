package dev.runledger.orchestrator.topology;

import dev.runledger.schemas.topics.DeadLetterDecoder;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.schemas.topics.Topic;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes the bytes of one topic (the run ledger, run-control) into its record type and forwards
 * them, keyed by the UTF-8 key, to the child {@code next}; a record without a key or value, or
 * whose value does not decode, goes to the DLQ child {@code dlq} with {@link DeadLetters} headers
 * instead, and processing continues.
 *
 * @param <T> the topic's value type
 */
final class RecordDecoder<T> implements Processor<byte[], byte[], Object, Object> {

  /** Code of a record that has no key. */
  static final String NO_KEY = "decode.no_key";

  private final Topic<String, T> topic;
  private final DeadLetterDecoder<T> decoder;
  private final String next;
  private final String dlq;
  private final boolean tombstonesForget;
  private ProcessorContext<Object, Object> context;

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
    this.tombstonesForget = tombstonesForget;
    this.topic = topic;
    this.decoder = DeadLetterDecoder.of(topic);
    this.next = next;
    this.dlq = dlq;
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    if (record.key() == null) {
      deadLetter(record, NO_KEY, "record has no key; it must be keyed by run id");
      return;
    }
    if (record.value() == null && tombstonesForget) {
      context.forward(
          new Record<Object, Object>(
              new String(record.key(), StandardCharsets.UTF_8), new Forget(), record.timestamp()),
          next);
      return;
    }
    decoder
        .decode(record.value(), DeadLetters.toChild(context, record, topic.name(), dlq))
        .ifPresent(
            value ->
                context.forward(
                    new Record<Object, Object>(
                        new String(record.key(), StandardCharsets.UTF_8),
                        value,
                        record.timestamp(),
                        record.headers()),
                    next));
  }

  private void deadLetter(
      final Record<byte[], byte[]> record, final String code, final String why) {
    DeadLetters.forward(context, record, topic.name(), dlq, code, why);
  }

  /** The key's records were cleaned up: whatever is kept for it can be dropped. */
  record Forget() {}
}
