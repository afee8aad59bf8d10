package dev.runledger.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that could not be decoded into a record; carries a stable error code for DLQ headers. */
public final class DecodeException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** The bytes do not start with the Avro single-object marker. */
  public static final String BAD_HEADER = "decode.bad_header";

  /** The writer schema's fingerprint is not in the schema store. */
  public static final String UNKNOWN_SCHEMA = "decode.unknown_schema";

  /** The bytes start well but the body does not decode. */
  public static final String CORRUPT = "decode.corrupt";

  private final String code;

  public DecodeException(final String code, final String message, final Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** Stable error code, one of the constants of this class. */
  public String code() {
    return code;
  }
}
