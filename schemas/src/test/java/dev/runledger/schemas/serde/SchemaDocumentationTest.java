package dev.runledger.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Every record and field has a doc, every enum a default symbol (ARCHITECTURE.md §3). */
class SchemaDocumentationTest {

  @Test
  void shouldDocumentEveryRecordAndFieldAndGiveEveryEnumADefault() {
    final List<String> problems = new ArrayList<>();
    final Set<String> seen = new HashSet<>();
    for (final Class<? extends SpecificRecord> type : SchemaCompatibilityTest.TOP_LEVEL) {
      walk(SchemaHistory.currentSchema(type), seen, problems);
    }
    assertThat(problems).isEmpty();
    assertThat(seen).hasSizeGreaterThan(40);
  }

  private static void walk(
      final Schema schema, final Set<String> seen, final List<String> problems) {
    switch (schema.getType()) {
      case RECORD:
        if (!seen.add(schema.getFullName())) {
          return;
        }
        if (isBlank(schema.getDoc())) {
          problems.add("record " + schema.getName() + " has no doc");
        }
        for (final Schema.Field field : schema.getFields()) {
          if (isBlank(field.doc())) {
            problems.add("field " + schema.getName() + "." + field.name() + " has no doc");
          }
          walk(field.schema(), seen, problems);
        }
        return;
      case ENUM:
        if (seen.add(schema.getFullName()) && schema.getEnumDefault() == null) {
          problems.add("enum " + schema.getName() + " has no default symbol");
        }
        return;
      case UNION:
        schema.getTypes().forEach(s -> walk(s, seen, problems));
        return;
      case ARRAY:
        walk(schema.getElementType(), seen, problems);
        return;
      case MAP:
        walk(schema.getValueType(), seen, problems);
        return;
      default:
    }
  }

  private static boolean isBlank(final String doc) {
    return doc == null || doc.isBlank();
  }
}
