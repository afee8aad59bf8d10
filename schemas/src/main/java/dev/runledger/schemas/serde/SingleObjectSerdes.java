package dev.runledger.schemas.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding (2-byte marker, CRC-64-AVRO fingerprint, body). Decoding looks the
 * writer schema up in a {@link SchemaStore} holding the current schema and every released version,
 * and resolves it into the current generated class. Null is a tombstone both ways.
 */
final class SingleObjectSerdes implements LedgerSerdes {
  private final SchemaStore.Cache store;
  private final Map<Class<?>, Serde<?>> serdes = new ConcurrentHashMap<>();

  private SingleObjectSerdes(final SchemaStore.Cache store) {
    this.store = store;
  }

  /** Serdes decoding through a store that knows every version in {@code history}. */
  public static SingleObjectSerdes create(final SchemaHistory history) {
    final SchemaStore.Cache store = new SchemaStore.Cache();
    for (final String name : history.recordNames()) {
      history.versionsOf(name).forEach(store::addSchema);
    }
    return new SingleObjectSerdes(store);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends SpecificRecord> Serde<T> forType(final Class<T> type) {
    return (Serde<T>) serdes.computeIfAbsent(type, t -> build(type));
  }

  private <T extends SpecificRecord> Serde<T> build(final Class<T> type) {
    final SpecificData model = SpecificData.getForClass(type);
    final Schema schema = SchemaHistory.currentSchema(type);
    store.addSchema(schema);
    final BinaryMessageEncoder<T> encoder = new BinaryMessageEncoder<>(model, schema);
    final BinaryMessageDecoder<T> decoder = new BinaryMessageDecoder<>(model, schema, store);
    final Serializer<T> serializer =
        (topic, value) -> value == null ? null : encode(encoder, value);
    final Deserializer<T> deserializer =
        (topic, bytes) -> bytes == null ? null : decode(decoder, bytes, type);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static <T> byte[] encode(final BinaryMessageEncoder<T> encoder, final T value) {
    try {
      final ByteBuffer buffer = encoder.encode(value);
      final byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (final IOException | AvroRuntimeException e) {
      throw new SerializationException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T decode(
      final BinaryMessageDecoder<T> decoder, final byte[] bytes, final Class<T> type) {
    final String what = type.getSimpleName();
    try {
      return decoder.decode(bytes);
    } catch (final BadHeaderException e) {
      throw new DecodeException(
          DecodeException.BAD_HEADER, "not an Avro single-object " + what + ": bad header", e);
    } catch (final MissingSchemaException e) {
      throw new DecodeException(
          DecodeException.UNKNOWN_SCHEMA,
          "no known schema version of " + what + " matches the writer's fingerprint",
          e);
    } catch (final IOException | RuntimeException e) {
      throw new DecodeException(DecodeException.CORRUPT, "corrupt " + what + ": " + e, e);
    }
  }
}
