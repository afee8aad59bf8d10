package dev.runledger.projections;

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
 * Sends a record the projections cannot use to the DLQ: the original key and value bytes, plus the
 * error headers every runledger component writes (UTF-8 text; the same names as the orchestrator's
 * dead letters).
 */
final class DeadLetters {
  /** Stable error code, e.g. {@code decode.bad_header} or {@value #KEY_MISMATCH}. */
  static final String ERROR_CODE = "runledger.error.code";

  /** What went wrong, for a person. */
  static final String ERROR_MESSAGE = "runledger.error.message";

  /** Topic the record was read from. */
  static final String SOURCE_TOPIC = "runledger.source.topic";

  /** Partition the record was read from. */
  static final String SOURCE_PARTITION = "runledger.source.partition";

  /** Offset the record was read at. */
  static final String SOURCE_OFFSET = "runledger.source.offset";

  /** A record without a value where one is required. */
  static final String EMPTY_VALUE = "decode.empty";

  /** A record whose key is not the id inside its value, so it sits in the wrong partition. */
  static final String KEY_MISMATCH = "record.key_mismatch";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private DeadLetters() {}

  static void send(
      final ProcessorContext<byte[], byte[]> context,
      final Record<byte[], byte[]> record,
      final String code,
      final String message) {
    final Optional<RecordMetadata> source = context.recordMetadata();
    final String topic = source.map(RecordMetadata::topic).orElse("");
    final String partition = source.map(m -> Integer.toString(m.partition())).orElse("-1");
    final String offset = source.map(m -> Long.toString(m.offset())).orElse("-1");
    LOG.warn("dead letter from {}-{}@{}: {}: {}", topic, partition, offset, code, message);
    final Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, ERROR_CODE, code);
    put(headers, ERROR_MESSAGE, message == null ? code : message);
    put(headers, SOURCE_TOPIC, topic);
    put(headers, SOURCE_PARTITION, partition);
    put(headers, SOURCE_OFFSET, offset);
    context.forward(record.withHeaders(headers), ProjectionTopology.DLQ_SINK);
  }

  private static void put(final Headers headers, final String name, final String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
