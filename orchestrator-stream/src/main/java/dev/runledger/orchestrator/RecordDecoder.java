package dev.runledger.orchestrator;

import dev.runledger.schemas.serde.DecodeException;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.schemas.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes the bytes of one topic (the run ledger, run-control) into its record type and forwards
 * them, keyed by the UTF-8 key, to the child {@code next}; a record without a key or value, or
 * whose value does not decode, goes to the DLQ child {@code dlq} with {@link DeadLetters} headers
 * instead, and processing continues.
 *
 * @param <T> the topic's value type
 */
final class RecordDecoder<T> implements Processor<byte[], byte[], Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(RecordDecoder.class);

  /** Code of a record that has no key. */
  static final String NO_KEY = "decode.no_key";

  private final Topic<String, T> topic;
  private final Deserializer<T> deserializer;
  private final String next;
  private final String dlq;
  private ProcessorContext<Object, Object> context;

  RecordDecoder(final Topic<String, T> topic, final String next, final String dlq) {
    this.topic = topic;
    this.deserializer = topic.valueSerde().deserializer();
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
    if (record.value() == null) {
      deadLetter(record, DeadLetters.EMPTY_VALUE, "record has no value");
      return;
    }
    final T value;
    try {
      value = deserializer.deserialize(topic.name(), record.value());
    } catch (final SerializationException e) {
      final String code =
          e instanceof DecodeException decode ? decode.code() : DecodeException.CORRUPT;
      deadLetter(record, code, e.getMessage());
      return;
    }
    context.forward(
        new Record<Object, Object>(
            new String(record.key(), StandardCharsets.UTF_8), value, record.timestamp()),
        next);
  }

  private void deadLetter(
      final Record<byte[], byte[]> record, final String code, final String why) {
    final Optional<RecordMetadata> source = context.recordMetadata();
    final String name = source.map(RecordMetadata::topic).orElse(topic.name());
    final int partition = source.map(RecordMetadata::partition).orElse(-1);
    final long offset = source.map(RecordMetadata::offset).orElse(-1L);
    LOG.warn("dead letter from {}-{}@{}: {}: {}", name, partition, offset, code, why);
    final Headers headers =
        DeadLetters.headers(record.headers(), code, why, name, partition, offset);
    context.forward(record.withHeaders(headers), dlq);
  }
}
