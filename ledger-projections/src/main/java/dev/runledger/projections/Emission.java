package dev.runledger.projections;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * What a projection processor passes downstream inside the topology (never written to a topic as
 * such): a dead letter (the original bytes; its error headers travel on the record), or a view
 * record for the transcript, the state store or the deliveries.
 *
 * @param kind which branch takes it
 * @param rawKey the original key bytes of a dead letter
 * @param rawValue the original value bytes of a dead letter
 * @param view the view record of the other kinds
 */
record Emission(Kind kind, byte[] rawKey, byte[] rawValue, SpecificRecord view) {
  enum Kind {
    DEAD_LETTER,
    TRANSCRIPT,
    STATE,
    DELIVERY
  }

  Emission {
    Objects.requireNonNull(kind, "kind");
  }

  static Emission deadLetter(final byte[] key, final byte[] value) {
    return new Emission(Kind.DEAD_LETTER, key, value, null);
  }

  static Emission of(final Kind kind, final SpecificRecord view) {
    return new Emission(kind, null, null, Objects.requireNonNull(view, "view"));
  }

  boolean is(final Kind other) {
    return kind == other;
  }
}
