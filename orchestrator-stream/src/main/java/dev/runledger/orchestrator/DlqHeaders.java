package dev.runledger.orchestrator;

/**
 * Headers on every dead letter the orchestrator writes. Values are UTF-8 text; partition and offset
 * are decimal numbers. The record's key and value are the original bytes, unchanged.
 */
public final class DlqHeaders {
  /** Stable error code, e.g. {@code decode.bad_header} or {@value #EVENT_INVALID}. */
  public static final String ERROR_CODE = "runledger.error.code";

  /** What went wrong, for a person. */
  public static final String ERROR_MESSAGE = "runledger.error.message";

  /** Topic the record was read from. */
  public static final String SOURCE_TOPIC = "runledger.source.topic";

  /** Partition the record was read from. */
  public static final String SOURCE_PARTITION = "runledger.source.partition";

  /** Offset the record was read at. */
  public static final String SOURCE_OFFSET = "runledger.source.offset";

  /** Code of a host event that decoded but failed validation. */
  public static final String EVENT_INVALID = "event.invalid";

  /** Code of a record without a value (a tombstone) on the ingest topic. */
  public static final String EMPTY_VALUE = "decode.empty";

  private DlqHeaders() {}
}
