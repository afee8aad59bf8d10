package dev.runledger.orchestrator.dispatch;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.IndexedRecord;

/**
 * Reads a field of a record by its dotted path, e.g. {@code input.text}, {@code actor.actor_id} or
 * {@code source}, as the text binding filters compare with. Enums read as their lowercase JSON
 * symbol ({@code platform}), timestamps as epoch milliseconds. Missing, null, list and record
 * values read as empty.
 */
final class EventFields {
  private EventFields() {}

  /** The text of the field at {@code path}, or empty. */
  static Optional<String> text(final IndexedRecord record, final String path) {
    Object current = record;
    for (final String name : path.split("\\.", -1)) {
      if (!(current instanceof IndexedRecord indexed)) {
        return Optional.empty();
      }
      final Schema.Field field = indexed.getSchema().getField(name);
      if (field == null) {
        return Optional.empty();
      }
      current = indexed.get(field.pos());
    }
    return scalar(current);
  }

  private static Optional<String> scalar(final Object value) {
    if (value instanceof Enum<?> symbol) {
      return Optional.of(symbol.name().toLowerCase(Locale.ROOT));
    }
    if (value instanceof Instant instant) {
      return Optional.of(Long.toString(instant.toEpochMilli()));
    }
    if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean) {
      return Optional.of(value.toString());
    }
    return Optional.empty();
  }
}
