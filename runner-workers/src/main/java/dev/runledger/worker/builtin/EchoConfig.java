package dev.runledger.worker.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.json.AvroJson;
import java.time.Duration;

/**
 * The echo runner's config, from the binding's {@code runner_config}: {@code {"turns": 1,
 * "turn_delay_ms": 0, "chunk_delay_ms": 0}}. Absent keys take these defaults; other keys are
 * ignored.
 *
 * @param turns how many turns the run has, at least 1
 * @param turnDelay how long each turn waits before it echoes
 * @param chunkDelay how long the runner waits between the chunks of one echoed message (so its
 *     deltas stream over time, as a model's do)
 */
record EchoConfig(int turns, Duration turnDelay, Duration chunkDelay) {
  static final String TURNS = "turns";
  static final String TURN_DELAY_MS = "turn_delay_ms";
  static final String CHUNK_DELAY_MS = "chunk_delay_ms";

  /** Parses {@code config_json}; a bad value is an {@link IllegalArgumentException} naming it. */
  static EchoConfig parse(final String configJson) {
    final JsonNode root = AvroJson.parse(configJson == null ? "{}" : configJson, "runner_config");
    if (!root.isObject()) {
      throw new IllegalArgumentException("echo runner config must be a JSON object");
    }
    final long turns = integer(root, TURNS, 1);
    if (turns < 1 || turns > 1000) {
      throw new IllegalArgumentException(
          "echo runner config: '" + TURNS + "' must be between 1 and 1000, got " + turns);
    }
    return new EchoConfig(
        (int) turns,
        Duration.ofMillis(notNegative(root, TURN_DELAY_MS)),
        Duration.ofMillis(notNegative(root, CHUNK_DELAY_MS)));
  }

  private static long notNegative(final JsonNode root, final String field) {
    final long value = integer(root, field, 0);
    if (value < 0) {
      throw new IllegalArgumentException(
          "echo runner config: '" + field + "' must be >= 0, got " + value);
    }
    return value;
  }

  private static long integer(final JsonNode root, final String field, final long fallback) {
    final JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.canConvertToLong() || !node.isIntegralNumber()) {
      throw new IllegalArgumentException(
          "echo runner config: '" + field + "' must be an integer, got " + node);
    }
    return node.asLong();
  }
}
