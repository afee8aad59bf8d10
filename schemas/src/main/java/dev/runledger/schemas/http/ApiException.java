package dev.runledger.schemas.http;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An HTTP API error with a stable code (ARCHITECTURE.md §9.1): rendered as {@code {"error":
 * {"code", "message", "field"?}}} with the given status by the one exception handler of the HTTP
 * server.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String field;

  public ApiException(
      final int status, final String code, final String message, final String field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  public ApiException(final int status, final String code, final String message) {
    this(status, code, message, null);
  }

  /** 400 for a field of the request. */
  public static ApiException invalid(final String field, final String message) {
    return new ApiException(400, "invalid_argument", message, field);
  }

  /** 404 for something that does not exist. */
  public static ApiException notFound(final String message) {
    return new ApiException(404, "not_found", message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** The offending request field, or null. */
  public String field() {
    return field;
  }

  /** The response body. */
  public ObjectNode body() {
    final JsonNodeFactory nodes = JsonNodeFactory.instance;
    final ObjectNode error = nodes.objectNode();
    error.put("code", code);
    error.put("message", getMessage());
    if (field != null) {
      error.put("field", field);
    }
    final ObjectNode body = nodes.objectNode();
    body.set("error", error);
    return body;
  }
}
