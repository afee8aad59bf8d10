package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.BearerToken;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A small client of the runledger HTTP API, for the CLI: every request carries {@code
 * Authorization: Bearer <token>} when it was given one.
 */
public final class ApiClient {
  private final String baseUrl;
  private final String token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /** A client sending no token (authentication off, or only open routes). */
  public ApiClient(final String baseUrl) {
    this(baseUrl, null);
  }

  /** A client sending {@code token} (none when null or blank). */
  public ApiClient(final String baseUrl, final String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token == null || token.isBlank() ? null : token.strip();
  }

  public Response get(final String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public Response post(final String path, final JsonNode body) {
    return postText(path, body.toString());
  }

  /** POSTs {@code body} as it is, labelled JSON (whether or not it is). */
  public Response postText(final String path, final String body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Response put(final String path, final JsonNode body) {
    return send(
        HttpRequest.newBuilder(uri(path))
            .header("content-type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  public Response delete(final String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  private URI uri(final String path) {
    return URI.create(baseUrl + path);
  }

  /** {@code Authorization: Bearer <token>} on {@code request}, when there is a token. */
  private HttpRequest.Builder authorized(final HttpRequest.Builder request) {
    return BearerToken.authorize(request, token);
  }

  private Response send(final HttpRequest.Builder request) {
    final HttpRequest built = authorized(request).timeout(Duration.ofSeconds(30)).build();
    try {
      final HttpResponse<String> response =
          http.send(built, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(response.statusCode(), parse(response.body()));
    } catch (final IOException e) {
      throw unreachable(e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiCallException("interrupted while calling " + built.uri(), e);
    }
  }

  /**
   * Opens {@code GET path} as a stream of server-sent events, from after {@code lastEventId} when
   * it is given. An answer other than 2xx throws {@link ApiCallException} with the API's error code
   * and message, as {@link Response#orThrow} does; a connection that fails throws the {@link
   * IOException} (callers reconnect, then report it with {@link #unreachable}).
   */
  InputStream stream(final String path, final String lastEventId, final String what)
      throws IOException, InterruptedException {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).header("accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    final HttpResponse<InputStream> response =
        http.send(authorized(request).build(), HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() / 100 != 2) {
      try (InputStream body = response.body()) {
        new Response(
                response.statusCode(),
                parse(new String(body.readAllBytes(), StandardCharsets.UTF_8)))
            .orThrow(what);
      }
    }
    return response.body();
  }

  /** "cannot reach URL: reason", the reason from the first message in the cause chain. */
  ApiCallException unreachable(final IOException e) {
    return new ApiCallException(
        "cannot reach " + baseUrl + ": " + reason(e) + " (is `ledger dev` running?)", e);
  }

  /**
   * Why a connection failed: the first message in {@code e}'s cause chain. The JDK's HTTP client
   * gives none (a {@code ConnectException} around a {@code ClosedChannelException}, or around an
   * {@code UnresolvedAddressException} for an unknown host), so those are named here.
   */
  static String reason(final Throwable e) {
    Throwable root = e;
    boolean connect = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
      connect |= t instanceof ConnectException;
      root = t;
    }
    if (root instanceof UnresolvedAddressException) {
      return "unknown host";
    }
    return connect ? "Connection refused" : root.getClass().getSimpleName();
  }

  private static JsonNode parse(final String body) {
    if (body == null || body.isBlank()) {
      return AvroJson.mapper().createObjectNode();
    }
    try {
      return AvroJson.mapper().readTree(body);
    } catch (final IOException e) {
      return AvroJson.mapper().getNodeFactory().textNode(body);
    }
  }

  /**
   * An HTTP answer.
   *
   * @param status the status code
   * @param body the JSON body (or a text node when it was not JSON)
   */
  public record Response(int status, JsonNode body) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /** The body of a 2xx answer, else an exception carrying the API's error message. */
    public JsonNode orThrow(final String what) {
      if (ok()) {
        return body;
      }
      final JsonNode error = body.path("error");
      final String message =
          error.isMissingNode()
              ? body.toString()
              : error.path("code").asText() + ": " + error.path("message").asText();
      throw new ApiCallException(
          what
              + " failed with HTTP "
              + status
              + " ("
              + message
              + ")"
              + (status == 401 ? "; pass --token or set RUNLEDGER_TOKEN" : ""));
    }
  }

  /** The API could not be reached or answered an error. */
  public static final class ApiCallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ApiCallException(final String message) {
      super(message);
    }

    public ApiCallException(final String message, final Throwable cause) {
      super(message, cause);
    }
  }
}
