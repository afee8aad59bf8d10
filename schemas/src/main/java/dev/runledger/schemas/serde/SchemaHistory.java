package dev.runledger.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;

/**
 * Every released version of every top-level record schema, read from the {@code
 * schema-history/index} resource (built from {@code src/main/avro/history/}). Released versions
 * stay readable forever: the schema store resolves data written with any of them into the current
 * class.
 */
final class SchemaHistory {
  static final String RESOURCE_ROOT = "schema-history/";

  private final Map<String, List<Schema>> versionsByRecord;

  private SchemaHistory(final Map<String, List<Schema>> versionsByRecord) {
    this.versionsByRecord = versionsByRecord;
  }

  /** Loads the history bundled in this jar. */
  public static SchemaHistory load() {
    final Map<String, List<Schema>> versions = new TreeMap<>();
    for (final String file : readResource("index").split("\n")) {
      final String name = file.strip();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      final Schema schema = new Schema.Parser().parse(readResource(name));
      versions.computeIfAbsent(schema.getFullName(), k -> new ArrayList<>()).add(schema);
    }
    return new SchemaHistory(Map.copyOf(versions));
  }

  /** Released versions of the record with this full name, oldest first; empty if none. */
  public List<Schema> versionsOf(final String fullName) {
    return versionsByRecord.getOrDefault(fullName, List.of());
  }

  /** Full names of every record with a released version. */
  public List<String> recordNames() {
    return List.copyOf(versionsByRecord.keySet());
  }

  /** The current schema of a generated class. */
  public static Schema currentSchema(final Class<?> type) {
    return SpecificData.get().getSchema(Objects.requireNonNull(type));
  }

  private static String readResource(final String name) {
    try (InputStream in =
        SchemaHistory.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException("schema history resource missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
