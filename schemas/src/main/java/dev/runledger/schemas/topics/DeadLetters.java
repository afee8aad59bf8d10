package dev.runledger.schemas.topics;

import dev.runledger.schemas.metrics.LedgerMeters;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters (the {@code dlq} topic): the original key and value bytes, unchanged, plus error
 * headers every runledger component writes. Header values are UTF-8 text; partition and offset are
 * decimal numbers.
 */
public final class DeadLetters {
  /** Stable error code, e.g. {@code decode.bad_header}. */
  public static final String ERROR_CODE = "runledger.error.code";

  /** What went wrong, for a person. */
  public static final String ERROR_MESSAGE = "runledger.error.message";

  /** Topic the record was read from. */
  public static final String SOURCE_TOPIC = "runledger.source.topic";

  /** Partition the record was read from. */
  public static final String SOURCE_PARTITION = "runledger.source.partition";

  /** Offset the record was read at. */
  public static final String SOURCE_OFFSET = "runledger.source.offset";

  /** A record without a value where one is required. */
  public static final String EMPTY_VALUE = "decode.empty";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private DeadLetters() {}

  /**
   * The original headers plus the error headers; every dead letter is made here, so this is where
   * {@code runledger_dlq_records_total{topic}} counts them.
   */
  public static Headers headers(
      final Headers original,
      final String code,
      final String message,
      final String topic,
      final int partition,
      final long offset) {
    final Headers headers = new RecordHeaders(original.toArray());
    put(headers, ERROR_CODE, code);
    put(headers, ERROR_MESSAGE, message == null ? code : message);
    put(headers, SOURCE_TOPIC, topic);
    put(headers, SOURCE_PARTITION, Integer.toString(partition));
    put(headers, SOURCE_OFFSET, Long.toString(offset));
    LedgerMeters.deadLettered(topic);
    return headers;
  }

  /**
   * Logs a dead letter of the record a processor is processing, and returns its original headers
   * plus the error headers naming where it was read ({@code fallbackTopic} when the context does
   * not know).
   */
  public static Headers headersFor(
      final ProcessorContext<?, ?> context,
      final Record<?, ?> record,
      final String fallbackTopic,
      final String code,
      final String message) {
    final Optional<RecordMetadata> source = context.recordMetadata();
    final String topic = source.map(RecordMetadata::topic).orElse(fallbackTopic);
    final int partition = source.map(RecordMetadata::partition).orElse(-1);
    final long offset = source.map(RecordMetadata::offset).orElse(-1L);
    LOG.warn("dead letter from {}-{}@{}: {}: {}", topic, partition, offset, code, message);
    return headers(record.headers(), code, message, topic, partition, offset);
  }

  /**
   * Forwards the record being processed, with error headers naming where it was read ({@code
   * fallbackTopic} when the context does not know), to the processor's DLQ child {@code sinkName},
   * and logs it.
   */
  public static void forward(
      final ProcessorContext<? super byte[], ? super byte[]> context,
      final Record<byte[], byte[]> record,
      final String fallbackTopic,
      final String sinkName,
      final String code,
      final String message) {
    context.forward(
        record.withHeaders(headersFor(context, record, fallbackTopic, code, message)), sinkName);
  }

  /** A sink that {@linkplain #forward forwards} the record being processed to {@code sinkName}. */
  public static DeadLetterDecoder.Sink toChild(
      final ProcessorContext<? super byte[], ? super byte[]> context,
      final Record<byte[], byte[]> record,
      final String fallbackTopic,
      final String sinkName) {
    return (code, message) -> forward(context, record, fallbackTopic, sinkName, code, message);
  }

  private static void put(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
