package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** {@link ViewReader} over the projections' HTTP API at a configured base URL. */
final class HttpViewReader implements ViewReader {
  private final URI base;
  private final Duration timeout;
  private final HttpClient client;

  public HttpViewReader(final URI base, final Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public JsonNode transcript(
      final String conversationId, final String before, final String after, final int limit) {
    final Map<String, String> query = new LinkedHashMap<>();
    query.put("before", before);
    query.put("after", after);
    query.put("limit", Integer.toString(limit));
    return require(get("/v1/conversations/" + segment(conversationId) + "/transcript", query));
  }

  @Override
  public JsonNode searchTranscript(final String conversationId, final String q, final int topK) {
    final Map<String, String> query = new LinkedHashMap<>();
    query.put("q", q);
    query.put("top_k", Integer.toString(topK));
    return require(
        get("/v1/conversations/" + segment(conversationId) + "/transcript/search", query));
  }

  @Override
  public Optional<JsonNode> decision(final String eventId) {
    return get("/v1/events/" + segment(eventId), Map.of());
  }

  @Override
  public Optional<JsonNode> run(final String runId) {
    return get("/v1/runs/" + segment(runId), Map.of());
  }

  @Override
  public Optional<JsonNode> state(final String scope, final String scopeId, final String key) {
    return get(
        "/v1/state/" + segment(scope) + "/" + segment(scopeId) + "/" + segment(key), Map.of());
  }

  @Override
  public JsonNode stateList(final String scope, final String scopeId, final String prefix) {
    final Map<String, String> query = new LinkedHashMap<>();
    query.put("prefix", prefix);
    return require(get("/v1/state/" + segment(scope) + "/" + segment(scopeId), query));
  }

  private JsonNode require(final Optional<JsonNode> body) {
    return body.orElseGet(() -> AvroJson.mapper().createObjectNode().putArray("items"));
  }

  private Optional<JsonNode> get(final String path, final Map<String, String> query) {
    final URI uri = URI.create(base + path + queryString(query));
    final HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").build();
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
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return joined.isEmpty() ? "" : "?" + joined;
  }

  private static String segment(final String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
