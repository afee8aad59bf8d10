package dev.runledger.schemas.topics;

import dev.runledger.schemas.serde.DecodeException;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Decode or dead-letter, for every topic and service: decodes the raw values of one topic and hands
 * a value that cannot be used to a {@link Sink} with its stable code ({@link
 * DeadLetters#EMPTY_VALUE} or the {@link DecodeException} code) instead of throwing, so one bad
 * record never stops a consumer. Where the dead letter goes (a DLQ sink node, a producer) is the
 * caller's.
 *
 * @param <V> the topic's value type
 */
public final class DeadLetterDecoder<V> {
  /** Receives what could not be used: the error code and a message for a person. */
  @FunctionalInterface
  public interface Sink {
    void deadLetter(String code, String message);
  }

  private final String topic;
  private final Deserializer<V> deserializer;
  private final String emptyMessage;

  private DeadLetterDecoder(
      final String topic, final Deserializer<V> deserializer, final String emptyMessage) {
    this.topic = topic;
    this.deserializer = deserializer;
    this.emptyMessage = emptyMessage;
  }

  /** A decoder of {@code topic}'s values. */
  public static <V> DeadLetterDecoder<V> of(final Topic<?, V> topic) {
    return of(topic.name(), topic.valueSerde().deserializer());
  }

  /** A decoder of the values of the topic named {@code topic}. */
  public static <V> DeadLetterDecoder<V> of(
      final String topic, final Deserializer<V> deserializer) {
    return new DeadLetterDecoder<>(topic, deserializer, "record has no value");
  }

  /** This decoder, giving {@code message} for a record without a value. */
  public DeadLetterDecoder<V> whenEmpty(final String message) {
    return new DeadLetterDecoder<>(topic, deserializer, message);
  }

  /** The decoded value, or empty after handing the reason to {@code sink}. */
  public Optional<V> decode(final byte[] value, final Sink sink) {
    if (value == null) {
      sink.deadLetter(DeadLetters.EMPTY_VALUE, emptyMessage);
      return Optional.empty();
    }
    final V decoded;
    try {
      decoded = deserializer.deserialize(topic, value);
    } catch (final SerializationException e) {
      sink.deadLetter(
          e instanceof DecodeException decode ? decode.code() : DecodeException.CORRUPT,
          e.getMessage());
      return Optional.empty();
    }
    if (decoded == null) {
      sink.deadLetter(DeadLetters.EMPTY_VALUE, emptyMessage);
      return Optional.empty();
    }
    return Optional.of(decoded);
  }
}
