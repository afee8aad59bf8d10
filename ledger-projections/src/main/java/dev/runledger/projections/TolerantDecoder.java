package dev.runledger.projections;

import dev.runledger.schemas.topics.DeadLetterDecoder;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.schemas.topics.Topic;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes the raw records of one topic inside a processor, so that bytes that do not decode never
 * stop the application: they are forwarded as {@link Emission#deadLetter dead letters} with their
 * error code in the headers, and processing goes on. When an id function is given, a record whose
 * key is not the id inside its value is a dead letter too, because its partition (chosen by the
 * key) is not the one that holds the rest of that id's records.
 */
final class TolerantDecoder<V> {
  /** A record whose key is not the id inside its value, so it sits in the wrong partition. */
  static final String KEY_MISMATCH = "record.key_mismatch";

  private final DeadLetterDecoder<V> decoder;
  private final Function<V, String> idOf;
  private final UnaryOperator<String> idOfKey;

  /**
   * @param topic the topic the records come from
   * @param idOf the id the key must name, or null when keys are not checked
   * @param idOfKey the id a key names (null when the key names none)
   */
  TolerantDecoder(
      final Topic<String, V> topic,
      final Function<V, String> idOf,
      final UnaryOperator<String> idOfKey) {
    this.decoder = DeadLetterDecoder.of(topic);
    this.idOf = idOf;
    this.idOfKey = idOfKey;
  }

  /** The decoded value, or empty after forwarding the record as a dead letter. */
  Optional<V> decode(
      final ProcessorContext<String, Emission> context, final Record<byte[], byte[]> record) {
    final Optional<V> decoded =
        decoder.decode(record.value(), (code, message) -> dead(context, record, code, message));
    if (decoded.isPresent() && idOf != null) {
      final String key = keyOf(record);
      final String id = idOf.apply(decoded.get());
      if (!id.equals(key == null ? null : idOfKey.apply(key))) {
        dead(
            context,
            record,
            KEY_MISMATCH,
            "record key '" + key + "' must name the id in its value '" + id + "'");
        return Optional.empty();
      }
    }
    return decoded;
  }

  /** Forwards the record as a dead letter with the error headers. */
  static void dead(
      final ProcessorContext<String, Emission> context,
      final Record<byte[], byte[]> record,
      final String code,
      final String message) {
    context.forward(
        new Record<>(
            keyOf(record),
            Emission.deadLetter(record.key(), record.value()),
            record.timestamp(),
            DeadLetters.headersFor(context, record, "", code, message)));
  }

  /** The record's key as text, or null. */
  static String keyOf(final Record<byte[], ?> record) {
    return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
  }
}
