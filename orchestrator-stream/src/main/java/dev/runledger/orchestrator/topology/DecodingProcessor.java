package dev.runledger.orchestrator.topology;

import dev.runledger.schemas.topics.DeadLetterDecoder;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.schemas.topics.Topic;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decode-or-dead-letter as a processor node: decodes the bytes of one topic with a {@link
 * DeadLetterDecoder} and forwards what cannot be used to the DLQ child {@code dlq} with {@link
 * DeadLetters} headers, so processing continues; a subclass says what a record becomes before
 * decoding ({@link #beforeDecoding}) and once decoded ({@link #decoded}).
 *
 * @param <T> the topic's value type
 */
abstract class DecodingProcessor<T> implements Processor<byte[], byte[], Object, Object> {
  private final Topic<String, T> topic;
  private final DeadLetterDecoder<T> decoder;
  private final String dlq;
  private ProcessorContext<Object, Object> context;

  DecodingProcessor(
      final Topic<String, T> topic, final DeadLetterDecoder<T> decoder, final String dlq) {
    this.topic = topic;
    this.decoder = decoder;
    this.dlq = dlq;
  }

  @Override
  public final void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  @Override
  public final void process(final Record<byte[], byte[]> record) {
    if (beforeDecoding(record)) {
      return;
    }
    decoder
        .decode(record.value(), DeadLetters.toChild(context, record, topic.name(), dlq))
        .ifPresent(value -> decoded(record, value));
  }

  /**
   * Deals with {@code record} without decoding it and returns true, or returns false to decode it.
   */
  boolean beforeDecoding(final Record<byte[], byte[]> record) {
    return false;
  }

  /** Handles the value {@code record} decoded to. */
  abstract void decoded(Record<byte[], byte[]> record, T value);

  /** Forwards {@code record} to the DLQ child with error {@code code}. */
  final void deadLetter(final Record<byte[], byte[]> record, final String code, final String why) {
    DeadLetters.forward(context, record, topic.name(), dlq, code, why);
  }

  final ProcessorContext<Object, Object> context() {
    return context;
  }
}
