package dev.runledger.schemas.serde;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

/** Builds a filled-in generic datum for any schema: every field set, one item per array. */
final class SampleData {
  private SampleData() {}

  static Object sample(final Schema schema) {
    switch (schema.getType()) {
      case RECORD:
        final GenericData.Record record = new GenericData.Record(schema);
        for (final Schema.Field field : schema.getFields()) {
          record.put(field.pos(), sampleField(field));
        }
        return record;
      case UNION:
        final List<Schema> branches = schema.getTypes();
        return sample(
            branches.get(
                branches.size() > 1 && branches.get(0).getType() == Schema.Type.NULL ? 1 : 0));
      case ARRAY:
        final List<Object> items = new ArrayList<>();
        items.add(sample(schema.getElementType()));
        return new GenericData.Array<>(schema, items);
      case MAP:
        return Map.of("k", sample(schema.getValueType()));
      case ENUM:
        return new GenericData.EnumSymbol(
            schema, schema.getEnumSymbols().get(schema.getEnumSymbols().size() - 1));
      case STRING:
        return "sample";
      case BYTES:
        return ByteBuffer.wrap(new byte[] {1, 2, 3});
      case INT:
        return 7;
      case LONG:
        return 1_700_000_000_000L;
      case FLOAT:
        return 1.5f;
      case DOUBLE:
        return 2.5d;
      case BOOLEAN:
        return true;
      case NULL:
        return null;
      default:
        throw new IllegalArgumentException("no sample for " + schema.getType());
    }
  }

  private static Object sampleField(final Schema.Field field) {
    if (field.name().endsWith("_json")) {
      return field.schema().isNullable() || field.schema().getType() == Schema.Type.STRING
          ? "{\"k\":1}"
          : sample(field.schema());
    }
    return sample(field.schema());
  }
}
