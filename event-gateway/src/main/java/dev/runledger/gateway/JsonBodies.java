package dev.runledger.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.json.JsonFieldException;
import java.io.IOException;

/** Parsing request bodies and turning what is wrong with them into {@link ApiException}s. */
final class JsonBodies {
  /** The field named by errors about the request body as a whole. */
  static final String BODY = "body";

  static final String PAYLOAD_TOO_LARGE = "payload_too_large";

  /** Strict: trailing content after the document and duplicate keys are errors. */
  private static final ObjectReader READER =
      AvroJson.mapper()
          .readerFor(JsonNode.class)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

  private JsonBodies() {}

  /** The body as a JSON object; anything else is a 400 on {@link #BODY}. */
  static ObjectNode parseObject(final byte[] body) {
    final JsonNode node;
    try {
      node = READER.readTree(body);
    } catch (final JsonProcessingException e) {
      throw ApiException.invalid(BODY, "request body is not valid JSON: " + e.getOriginalMessage());
    } catch (final IOException e) {
      throw ApiException.invalid(BODY, "request body cannot be read: " + e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      throw ApiException.invalid(BODY, "request body is empty, expected a JSON object");
    }
    if (!node.isObject()) {
      throw ApiException.invalid(BODY, "request body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  /** A 413 for a field. */
  static ApiException tooLarge(final String field, final String message) {
    return new ApiException(413, PAYLOAD_TOO_LARGE, message, field);
  }

  /** A 400 for a field that fails its record's JSON form, named under {@code prefix}. */
  static ApiException invalid(final JsonFieldException e, final String prefix) {
    final String field = path(prefix, e.field());
    final String reason =
        e.field().isEmpty() ? e.getMessage() : e.getMessage().substring(e.field().length() + 2);
    return ApiException.invalid(field, describe(field) + " " + reason);
  }

  /** A 400 naming {@code path(prefix, field)} with "field message". */
  static ApiException invalid(final String prefix, final String field, final String message) {
    final String full = path(prefix, field);
    return ApiException.invalid(full, describe(full) + " " + message);
  }

  /** {@code prefix.field}, or the one that is not empty; {@link #BODY} when both are. */
  static String path(final String prefix, final String field) {
    if (prefix.isEmpty()) {
      return field.isEmpty() ? BODY : field;
    }
    if (field.isEmpty()) {
      return prefix;
    }
    return field.startsWith("[") ? prefix + field : prefix + "." + field;
  }

  private static String describe(final String field) {
    return BODY.equals(field) ? "request body" : "field '" + field + "'";
  }
}
