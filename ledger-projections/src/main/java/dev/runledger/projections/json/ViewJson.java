package dev.runledger.projections.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.json.AvroJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON form (SPEC §8.2) of a generated record, through {@link AvroJson}. {@code
 * AvroJson.toJson} cannot yet resolve a nullable timestamp (a union holding a {@code
 * java.time.Instant}, such as {@code AgentRun.created_at}), so the record is first re-read as a
 * generic record without logical-type conversions, where timestamps are plain epoch milliseconds;
 * the JSON is the same either way.
 */
public final class ViewJson {
  private ViewJson() {}

  /** The JSON form of a record. */
  public static ObjectNode toJson(final SpecificRecord record) {
    return AvroJson.toJson(plain(record));
  }

  /** Compact JSON text of a record. */
  public static String text(final SpecificRecord record) {
    return AvroJson.text(toJson(record));
  }

  private static GenericRecord plain(final SpecificRecord record) {
    final Schema schema = record.getSchema();
    try {
      final ByteArrayOutputStream out = new ByteArrayOutputStream();
      final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<SpecificRecord>(schema, SpecificData.getForSchema(schema))
          .write(record, encoder);
      encoder.flush();
      return new GenericDatumReader<GenericRecord>(schema, schema, new GenericData())
          .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
