package dev.runledger.schemas.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON form of runledger records (ARCHITECTURE.md §9.1): field names are the Avro names; a
 * field stored as {@code X_json} appears as the plain JSON value under {@code X}; enum symbols are
 * lowercase; timestamps are epoch milliseconds; a union of several records is written as {@code
 * {"Name": {...}}}. Parsing is strict: unknown fields, wrong types and missing required fields fail
 * with a {@link JsonFieldException} naming the field.
 */
public final class AvroJson {
  private static final String JSON_SUFFIX = "_json";
  private static final String UNKNOWN_SYMBOL = "UNKNOWN";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * The model records are read back with, without logical-type conversions; one for every call (it
   * caches its readers per schema), since a new GenericData scans the class path for conversions
   * each time it is built — the views' largest cost in a profile of the e2e suites.
   */
  private static final GenericData PLAIN = new GenericData();

  /**
   * The readers back into {@link #PLAIN}, one per schema and thread: a new reader resolves its
   * schema again on every read, which was the largest part of turning a record into JSON in a
   * profile of {@code ledger rebuild}.
   */
  private static final ThreadLocal<Map<Schema, GenericDatumReader<GenericRecord>>> PLAIN_READERS =
      ThreadLocal.withInitial(HashMap::new);

  private AvroJson() {}

  /** The shared mapper, for code that needs plain JSON. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** The JSON form of a record. */
  public static ObjectNode toJson(final IndexedRecord record) {
    return (ObjectNode) write(record.getSchema(), plain(record));
  }

  /** Parses the JSON form of a record into its generated class. */
  public static <T extends SpecificRecord> T fromJson(final JsonNode json, final Class<T> type) {
    final Schema schema = SpecificData.get().getSchema(type);
    final Object generic = read(schema, json, "");
    return toSpecific(schema, generic, type);
  }

  /** Parses JSON text into a record; malformed JSON fails on the root field. */
  public static <T extends SpecificRecord> T fromJson(final String text, final Class<T> type) {
    return fromJson(parse(text, ""), type);
  }

  /** Parses JSON text, reporting malformed JSON against {@code field}. */
  public static JsonNode parse(final String text, final String field) {
    try {
      final JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new JsonFieldException(field, "is empty, expected JSON");
      }
      return node;
    } catch (final JsonProcessingException e) {
      throw new JsonFieldException(field, "is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** Compact JSON text of a node. */
  public static String text(final JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (final JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON name of an Avro field: {@code X_json} becomes {@code X}. */
  public static String jsonName(final Schema.Field field) {
    final String name = field.name();
    return name.endsWith(JSON_SUFFIX)
        ? name.substring(0, name.length() - JSON_SUFFIX.length())
        : name;
  }

  // ---- Avro -> JSON

  private static JsonNode write(final Schema schema, final Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    switch (schema.getType()) {
      case RECORD:
        return writeRecord((IndexedRecord) value);
      case UNION:
        return writeUnion(schema, value);
      case ARRAY:
        final ArrayNode array = NODES.arrayNode();
        ((Collection<?>) value).forEach(item -> array.add(write(schema.getElementType(), item)));
        return array;
      case MAP:
        final ObjectNode map = NODES.objectNode();
        ((Map<?, ?>) value)
            .forEach((k, v) -> map.set(k.toString(), write(schema.getValueType(), v)));
        return map;
      case ENUM:
        return NODES.textNode(value.toString().toLowerCase(Locale.ROOT));
      case STRING:
        return NODES.textNode(value.toString());
      case BOOLEAN:
        return NODES.booleanNode((Boolean) value);
      case INT:
        return NODES.numberNode((Integer) value);
      case LONG:
        return NODES.numberNode((long) (Long) value);
      case FLOAT:
        return NODES.numberNode((Float) value);
      case DOUBLE:
        return NODES.numberNode((Double) value);
      case BYTES:
        final ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
      default:
        return NODES.textNode(value.toString());
    }
  }

  private static ObjectNode writeRecord(final IndexedRecord record) {
    final ObjectNode out = NODES.objectNode();
    for (final Schema.Field field : record.getSchema().getFields()) {
      final Object value = record.get(field.pos());
      if (field.name().endsWith(JSON_SUFFIX)) {
        out.set(jsonName(field), value == null ? NODES.nullNode() : embedded(value.toString()));
      } else {
        out.set(field.name(), write(field.schema(), value));
      }
    }
    return out;
  }

  private static JsonNode writeUnion(final Schema union, final Object value) {
    final Schema branch = union.getTypes().get(GenericData.get().resolveUnion(union, value));
    final long records =
        union.getTypes().stream().filter(s -> s.getType() == Schema.Type.RECORD).count();
    if (records > 1 && branch.getType() == Schema.Type.RECORD) {
      final ObjectNode wrapped = NODES.objectNode();
      wrapped.set(branch.getName(), write(branch, value));
      return wrapped;
    }
    return write(branch, value);
  }

  private static JsonNode embedded(final String text) {
    try {
      final JsonNode node = MAPPER.readTree(text);
      return node == null ? NODES.nullNode() : node;
    } catch (final JsonProcessingException e) {
      return NODES.textNode(text);
    }
  }

  // ---- JSON -> Avro (generic, no logical-type conversions)

  private static Object read(final Schema schema, final JsonNode node, final String path) {
    switch (schema.getType()) {
      case RECORD:
        return readRecord(schema, node, path);
      case UNION:
        return readUnion(schema, node, path);
      case ARRAY:
        if (!node.isArray()) {
          throw new JsonFieldException(path, "must be an array");
        }
        final List<Object> items = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
          items.add(read(schema.getElementType(), node.get(i), path + "[" + i + "]"));
        }
        return new GenericData.Array<>(schema, items);
      case MAP:
        if (!node.isObject()) {
          throw new JsonFieldException(path, "must be an object");
        }
        final Map<String, Object> map = new HashMap<>();
        node.fields()
            .forEachRemaining(
                e ->
                    map.put(
                        e.getKey(),
                        read(schema.getValueType(), e.getValue(), join(path, e.getKey()))));
        return map;
      case ENUM:
        return readEnum(schema, node, path);
      case STRING:
        if (!node.isTextual()) {
          throw new JsonFieldException(path, "must be a string");
        }
        return node.textValue();
      case BOOLEAN:
        if (!node.isBoolean()) {
          throw new JsonFieldException(path, "must be true or false");
        }
        return node.booleanValue();
      case INT:
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
          throw new JsonFieldException(path, "must be a 32-bit integer");
        }
        return node.intValue();
      case LONG:
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
          throw new JsonFieldException(path, "must be an integer");
        }
        return node.longValue();
      case FLOAT:
      case DOUBLE:
        if (!node.isNumber()) {
          throw new JsonFieldException(path, "must be a number");
        }
        return schema.getType() == Schema.Type.FLOAT
            ? (Object) node.floatValue()
            : (Object) node.doubleValue();
      case BYTES:
        if (!node.isTextual()) {
          throw new JsonFieldException(path, "must be a base64 string");
        }
        try {
          return ByteBuffer.wrap(Base64.getDecoder().decode(node.textValue()));
        } catch (final IllegalArgumentException e) {
          throw new JsonFieldException(path, "must be a base64 string");
        }
      case NULL:
        if (!node.isNull()) {
          throw new JsonFieldException(path, "must be null");
        }
        return null;
      default:
        throw new JsonFieldException(path, "has an unsupported type " + schema.getType());
    }
  }

  private static GenericRecord readRecord(
      final Schema schema, final JsonNode node, final String path) {
    if (!node.isObject()) {
      throw new JsonFieldException(path, "must be an object");
    }
    final Map<String, Schema.Field> byJsonName = new HashMap<>();
    schema.getFields().forEach(f -> byJsonName.put(jsonName(f), f));
    final Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      final String name = names.next();
      if (!byJsonName.containsKey(name)) {
        throw new JsonFieldException(
            join(path, name), "is not a known field of " + schema.getName());
      }
    }
    final GenericRecord record = new GenericData.Record(schema);
    for (final Schema.Field field : schema.getFields()) {
      final String name = jsonName(field);
      final String fieldPath = join(path, name);
      final JsonNode value = node.get(name);
      if (value == null) {
        if (!field.hasDefaultValue()) {
          throw new JsonFieldException(fieldPath, "is required");
        }
        record.put(field.pos(), GenericData.get().getDefaultValue(field));
      } else if (field.name().endsWith(JSON_SUFFIX)) {
        record.put(field.pos(), value.isNull() && field.schema().isNullable() ? null : text(value));
      } else {
        record.put(field.pos(), read(field.schema(), value, fieldPath));
      }
    }
    return record;
  }

  private static Object readUnion(final Schema union, final JsonNode node, final String path) {
    if (node.isNull()) {
      if (!union.isNullable()) {
        throw new JsonFieldException(path, "must not be null");
      }
      return null;
    }
    final List<Schema> branches =
        union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
    if (branches.size() == 1) {
      return read(branches.get(0), node, path);
    }
    if (!node.isObject() || node.size() != 1) {
      throw new JsonFieldException(
          path, "must be an object with exactly one of " + names(branches));
    }
    final String chosen = node.fieldNames().next();
    for (final Schema branch : branches) {
      if (branch.getName().equals(chosen)) {
        return read(branch, node.get(chosen), join(path, chosen));
      }
    }
    throw new JsonFieldException(path, "must be one of " + names(branches));
  }

  private static GenericData.EnumSymbol readEnum(
      final Schema schema, final JsonNode node, final String path) {
    final List<String> allowed =
        schema.getEnumSymbols().stream()
            .filter(s -> !s.equals(UNKNOWN_SYMBOL))
            .map(s -> s.toLowerCase(Locale.ROOT))
            .toList();
    if (!node.isTextual() || !allowed.contains(node.textValue())) {
      throw new JsonFieldException(path, "must be one of " + allowed);
    }
    return new GenericData.EnumSymbol(schema, node.textValue().toUpperCase(Locale.ROOT));
  }

  private static List<String> names(final List<Schema> branches) {
    return branches.stream().map(Schema::getName).toList();
  }

  private static String join(final String path, final String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /**
   * Any record to a generic one without logical-type conversions (timestamps as epoch millis), by
   * writing it with its own model and reading it back generically, so unions holding an {@code
   * Instant} resolve like any other value.
   */
  private static IndexedRecord plain(final IndexedRecord record) {
    if (!(record instanceof SpecificRecord)) {
      return record;
    }
    final Schema schema = record.getSchema();
    try {
      final ByteArrayOutputStream out = new ByteArrayOutputStream();
      final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new SpecificDatumWriter<IndexedRecord>(schema, SpecificData.getForSchema(schema))
          .write(record, encoder);
      encoder.flush();
      return PLAIN_READERS
          .get()
          .computeIfAbsent(schema, s -> new GenericDatumReader<>(s, s, PLAIN))
          .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Generic to specific through the binary form, so logical types get their Java classes. */
  private static <T> T toSpecific(final Schema schema, final Object generic, final Class<T> type) {
    try {
      final ByteArrayOutputStream out = new ByteArrayOutputStream();
      final BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<Object>(schema, GenericData.get()).write(generic, encoder);
      encoder.flush();
      final SpecificDatumReader<T> reader =
          new SpecificDatumReader<>(schema, schema, SpecificData.getForClass(type));
      return reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
