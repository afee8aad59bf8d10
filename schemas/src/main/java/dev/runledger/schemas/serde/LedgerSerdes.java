package dev.runledger.schemas.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The one way code obtains a serde for a runledger record. The default implementation is Avro
 * single-object encoding ({@link SingleObjectSerdes}); a registry-backed implementation can be
 * added behind this interface without touching callers.
 */
public interface LedgerSerdes {

  /** A serde for values of the given generated Avro class. */
  <T extends SpecificRecord> Serde<T> forType(Class<T> type);

  /** The default serdes: single-object encoding against the bundled schema store. */
  static LedgerSerdes singleObject() {
    return SingleObjectSerdes.create(SchemaHistory.load());
  }
}
