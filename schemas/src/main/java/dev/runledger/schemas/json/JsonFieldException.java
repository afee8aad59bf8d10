package dev.runledger.schemas.json;

/** A JSON document does not fit a record: names the field (dotted path) and what is wrong. */
public final class JsonFieldException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public JsonFieldException(final String field, final String message) {
    super(field.isEmpty() ? message : field + ": " + message);
    this.field = field;
  }

  /** Dotted path of the offending field, e.g. {@code scope.workspace_id}; empty for the root. */
  public String field() {
    return field;
  }
}
