package dev.runledger.worker.runners;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ArtifactCreated;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.json.JsonFieldException;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.util.Base64;

/**
 * Turns the result messages of external runners ({@code {"type": T, "data": {...}}}) into ledger
 * results, the same way for the stdio and HTTP protocols:
 *
 * <ul>
 *   <li>{@code state.updated{scope, key, value}} goes through the host API ({@code state_set}, or
 *       {@code state_delete} when {@code value} is null; {@code storage.plugin}/{@code
 *       storage.workspace} scopes through {@code storage_*}), so it is checked and audited like a
 *       call; nothing is returned to emit.
 *   <li>{@code run.failed} accepts the stdio protocol's {@code message} for {@code error}.
 *   <li>{@code artifact.created} content over 1 MiB is rejected ({@code payload_too_large}).
 *   <li>any other type goes through {@link Results#fromJson} (unknown types are kept as {@code
 *       UnknownResult}).
 * </ul>
 */
final class ResultLines {
  private static final int MAX_INLINE = 1 << 20;

  private ResultLines() {}

  /**
   * Emits the result a message stands for ({@link #toResult}) to the run.
   *
   * @return whether it was the run's terminal; false when nothing was emitted
   * @throws AgentApiException when the result is refused, as for {@link #toResult}
   */
  static boolean emit(final String type, final JsonNode data, final RunSession session) {
    final AgentRunResult result = toResult(type, data, session.hostApi());
    if (result == null) {
      return false;
    }
    session.emit(result);
    return Results.isTerminal(result);
  }

  /**
   * The result to emit, or null when the message was applied through the host API.
   *
   * @throws AgentApiException {@code invalid_argument} or {@code payload_too_large} (or a host-API
   *     code for state) when the result is refused
   */
  static AgentRunResult toResult(final String type, final JsonNode data, final HostApi api) {
    if ("state.updated".equals(type)) {
      applyState(data, api);
      return null;
    }
    final JsonNode payload = "run.failed".equals(type) ? runFailed(data) : data;
    final AgentRunResult result;
    try {
      result = Results.fromJson(type, payload);
    } catch (final JsonFieldException e) {
      throw new AgentApiException(
          AgentApiException.INVALID_ARGUMENT,
          type + " data: field '" + e.field() + "' " + e.getMessage());
    }
    if (result.getPayload() instanceof ArtifactCreated artifact
        && artifact.getContentBase64() != null) {
      final int size = decodedSize(artifact.getContentBase64());
      if (size > MAX_INLINE) {
        throw new AgentApiException(
            AgentApiException.PAYLOAD_TOO_LARGE,
            "artifact.created content is " + size + " bytes; inline content is at most 1 MiB");
      }
    }
    return result;
  }

  private static void applyState(final JsonNode data, final HostApi api) {
    if (data == null || !data.isObject() || !data.path("scope").isTextual()) {
      throw new AgentApiException(
          AgentApiException.INVALID_ARGUMENT, "state.updated data needs scope, key and value");
    }
    final String scope = data.path("scope").asText();
    final ObjectNode params = AvroJson.mapper().createObjectNode();
    params.set("key", data.path("key"));
    final boolean delete = !data.has("value") || data.get("value").isNull();
    if (!delete) {
      params.set("value", data.get("value"));
    }
    final String op = delete ? "delete" : "set";
    if (scope.startsWith("storage.")) {
      params.put("area", scope.substring("storage.".length()));
      api.call("storage_" + op, params);
    } else {
      params.put("scope", scope);
      api.call("state_" + op, params);
    }
  }

  private static JsonNode runFailed(final JsonNode data) {
    if (data != null && data.isObject() && !data.has("error") && data.has("message")) {
      final ObjectNode copy = ((ObjectNode) data).deepCopy();
      copy.set("error", copy.remove("message"));
      if (!copy.has("retryable")) {
        copy.put("retryable", false);
      }
      return copy;
    }
    return data;
  }

  private static int decodedSize(final String base64) {
    try {
      return Base64.getDecoder().decode(base64).length;
    } catch (final IllegalArgumentException e) {
      throw new AgentApiException(
          AgentApiException.INVALID_ARGUMENT, "artifact.created content_base64 is not base64");
    }
  }
}
