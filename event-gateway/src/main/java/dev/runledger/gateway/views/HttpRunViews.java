package dev.runledger.gateway.views;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.BearerToken;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link RunViews} over HTTP against the projections' API at a base URL ({@code GET
 * /v1/runs/{run_id}}, {@code GET /v1/workspaces/{workspace_id}/events/{event_id}}, built with
 * {@link ApiPaths}), sending {@code Authorization: Bearer <auth.internal.token>} when that setting
 * is given. A 404 reads as empty; anything else that is not a 200 answers 503 {@value
 * #VIEWS_UNAVAILABLE}, so the caller may retry. The base URL can be set after construction (the dev
 * stack learns its HTTP port only when the server is up).
 */
public final class HttpRunViews implements RunViews {
  /** Error code when the views cannot be asked. */
  public static final String VIEWS_UNAVAILABLE = "views.unavailable";

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
  private final String internalToken;
  private volatile String baseUrl;

  /** Views at {@code baseUrl}, e.g. {@code http://localhost:8080}, asked without a credential. */
  public HttpRunViews(final String baseUrl) {
    this(baseUrl, null);
  }

  /**
   * Views at {@code baseUrl}, asked with the internal credential {@code internalToken} ({@code
   * auth.internal.token}); null to send none.
   */
  public HttpRunViews(final String baseUrl, final String internalToken) {
    this.internalToken = internalToken;
    baseUrl(baseUrl);
  }

  /** Points the views at another base URL. */
  public void baseUrl(final String url) {
    this.baseUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** The current base URL. */
  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public Optional<JsonNode> run(final String runId) {
    return get(ApiPaths.run(runId));
  }

  @Override
  public Optional<JsonNode> decision(final String workspaceId, final String eventId) {
    return get(ApiPaths.decision(workspaceId, eventId));
  }

  private Optional<JsonNode> get(final String path) {
    final URI uri = URI.create(baseUrl + path);
    final HttpRequest.Builder request =
        BearerToken.authorize(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET(), internalToken);
    final HttpResponse<String> response;
    try {
      response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (final IOException e) {
      throw unavailable(uri, e.getMessage());
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw unavailable(uri, "interrupted");
    }
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw unavailable(uri, "HTTP " + response.statusCode());
    }
    try {
      return Optional.of(AvroJson.mapper().readTree(response.body()));
    } catch (final JsonProcessingException e) {
      throw unavailable(uri, "the answer is not JSON: " + e.getOriginalMessage());
    }
  }

  private static ApiException unavailable(final URI uri, final String why) {
    return new ApiException(
        503,
        VIEWS_UNAVAILABLE,
        "the run views at "
            + uri
            + " could not be asked ("
            + why
            + "); is the projections service up and worker.views.url right? Retry later");
  }
}
