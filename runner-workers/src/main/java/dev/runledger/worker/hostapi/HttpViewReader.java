package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.BearerToken;
import dev.runledger.schemas.http.QueryParams;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link ViewReader} over the projections' HTTP API at a configured base URL, on the paths {@link
 * ApiPaths} builds, sending {@code Authorization: Bearer <auth.internal.token>} when that setting
 * is set.
 */
final class HttpViewReader implements ViewReader {
  private final URI base;
  private final Duration timeout;
  private final Optional<String> internalToken;
  private final HttpClient client;

  /**
   * @param base the projections' base URL
   * @param timeout timeout of one request
   * @param internalToken the {@code auth.internal.token} every request carries, when set
   */
  HttpViewReader(final URI base, final Duration timeout, final Optional<String> internalToken) {
    this.base = base;
    this.timeout = timeout;
    this.internalToken = internalToken;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public JsonNode transcript(
      final String workspaceId,
      final String conversationId,
      final String before,
      final String after,
      final int limit) {
    final Map<String, String> query = new LinkedHashMap<>();
    query.put("before", before);
    query.put("after", after);
    query.put("limit", Integer.toString(limit));
    return require(get(ApiPaths.transcript(workspaceId, conversationId), query));
  }

  @Override
  public JsonNode searchTranscript(
      final String workspaceId, final String conversationId, final String q, final int topK) {
    final Map<String, String> query = new LinkedHashMap<>();
    query.put("q", q);
    query.put("top_k", Integer.toString(topK));
    return require(get(ApiPaths.transcriptSearch(workspaceId, conversationId), query));
  }

  @Override
  public Optional<JsonNode> decision(final String workspaceId, final String eventId) {
    return get(ApiPaths.decision(workspaceId, eventId), Map.of());
  }

  @Override
  public Optional<JsonNode> run(final String runId) {
    return get(ApiPaths.run(runId), Map.of());
  }

  @Override
  public Optional<JsonNode> state(
      final String workspaceId, final String scope, final String scopeId, final String key) {
    return get(ApiPaths.state(workspaceId, scope, scopeId, key), Map.of());
  }

  @Override
  public JsonNode stateList(
      final String workspaceId, final String scope, final String scopeId, final String prefix) {
    // the listing is paged: follow next_cursor to the end, so a scope is never cut at one page
    final ObjectNode all = AvroJson.mapper().createObjectNode();
    final ArrayNode items = all.putArray("items");
    String cursor = null;
    do {
      final Map<String, String> query = new LinkedHashMap<>();
      query.put("prefix", prefix);
      query.put("limit", Integer.toString(QueryParams.MAX_LIMIT));
      query.put("cursor", cursor);
      final Optional<JsonNode> page = get(ApiPaths.states(workspaceId, scope, scopeId), query);
      if (page.isEmpty()) {
        break;
      }
      page.get().path("items").forEach(items::add);
      final JsonNode next = page.get().path("next_cursor");
      cursor = next.isTextual() && !page.get().path("items").isEmpty() ? next.asText() : null;
    } while (cursor != null);
    return all;
  }

  private JsonNode require(final Optional<JsonNode> body) {
    return body.orElseGet(() -> AvroJson.mapper().createObjectNode().putArray("items"));
  }

  private Optional<JsonNode> get(final String path, final Map<String, String> query) {
    final URI uri = URI.create(base + path + queryString(query));
    final HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    BearerToken.authorize(builder, internalToken.orElse(null));
    final HttpRequest request = builder.build();
    final HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (final IOException e) {
      throw new AgentApiException(
          AgentApiException.RUNTIME_ERROR, "views unreachable at " + base + ": " + e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentApiException(AgentApiException.RUNTIME_ERROR, "interrupted reading views");
    }
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() / 100 != 2) {
      throw new AgentApiException(
          AgentApiException.RUNTIME_ERROR,
          "views answered " + response.statusCode() + " for " + path + ": " + response.body());
    }
    try {
      return Optional.of(AvroJson.mapper().readTree(response.body()));
    } catch (final JsonProcessingException e) {
      throw new AgentApiException(
          AgentApiException.RUNTIME_ERROR, "views answered non-JSON for " + path);
    }
  }

  private static String queryString(final Map<String, String> query) {
    final String joined =
        query.entrySet().stream()
            .filter(e -> e.getValue() != null)
            .map(e -> e.getKey() + "=" + ApiPaths.segment(e.getValue()))
            .collect(Collectors.joining("&"));
    return joined.isEmpty() ? "" : "?" + joined;
  }
}
