package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.worker.spi.AgentApiException;

/** Reads host-API parameters; anything malformed is {@code invalid_argument} naming the field. */
final class Params {
  private static final int MAX_TEXT = 4096;

  private final String method;
  private final JsonNode params;

  Params(final String method, final JsonNode params) {
    this.method = method;
    this.params = params;
  }

  JsonNode raw() {
    return params;
  }

  boolean has(final String name) {
    return params.has(name) && !params.get(name).isNull();
  }

  /** A required non-blank string. */
  String text(final String name) {
    final String value = optionalText(name);
    if (value == null) {
      throw invalid(name, "is required");
    }
    return value;
  }

  /** An optional non-blank string, null when absent. */
  String optionalText(final String name) {
    if (!has(name)) {
      return null;
    }
    final JsonNode node = params.get(name);
    if (!node.isTextual() || node.asText().isBlank()) {
      throw invalid(name, "must be a non-empty string");
    }
    if (node.asText().length() > MAX_TEXT) {
      throw invalid(name, "must be at most " + MAX_TEXT + " characters");
    }
    return node.asText();
  }

  /** An optional integer in {@code [min, max]}, {@code fallback} when absent. */
  long integer(final String name, final long fallback, final long min, final long max) {
    if (!has(name)) {
      return fallback;
    }
    final JsonNode node = params.get(name);
    if (!node.canConvertToLong() || !node.isIntegralNumber()) {
      throw invalid(name, "must be an integer");
    }
    final long value = node.asLong();
    if (value < min || value > max) {
      throw invalid(name, "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  /** A storage/state key: 1..256 characters, no control characters. */
  String key(final String name) {
    final String key = text(name);
    if (key.length() > 256 || key.chars().anyMatch(Character::isISOControl)) {
      throw invalid(name, "must be 1 to 256 characters without control characters");
    }
    return key;
  }

  AgentApiException invalid(final String name, final String problem) {
    return new AgentApiException(
        AgentApiException.INVALID_ARGUMENT, method + ": parameter '" + name + "' " + problem);
  }
}
