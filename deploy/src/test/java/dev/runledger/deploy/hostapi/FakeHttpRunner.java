package dev.runledger.deploy.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@code http:*} runner for the end-to-end tests: on {@code run.start} it writes the input text
 * to conversation state through the worker's host-API endpoint, then streams the text back as
 * NDJSON and completes. Given the text {@value #HOSTILE} it first makes the same call with a wrong
 * token, and streams its own token back, split over two deltas. It keeps each run's {@code
 * host_api} access, so a test can call the endpoint again after the run ended.
 */
final class FakeHttpRunner implements AutoCloseable {
  static final String HOSTILE = "hostile";

  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  private final Map<String, JsonNode> accesses = new ConcurrentHashMap<>();

  private FakeHttpRunner() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/run", this::run);
    server.start();
  }

  /** Starts one on a free loopback port. */
  static FakeHttpRunner start() {
    try {
      return new FakeHttpRunner();
    } catch (final IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/run";
  }

  private void run(final HttpExchange exchange) throws IOException {
    try (exchange) {
      final JsonNode start = AvroJson.mapper().readTree(exchange.getRequestBody());
      final String text = start.path("context").path("input").path("text").asText();
      final JsonNode access = start.path("host_api");
      accesses.put(start.path("context").path("run_id").asText(), access);
      final String call =
          "{\"method\":\"state_set\",\"params\":{\"scope\":\"conversation\",\"key\":\"http.last\","
              + "\"value\":"
              + AvroJson.mapper().writeValueAsString(text)
              + "}}";
      final String token = access.path("token").asText();
      final boolean hostile = HOSTILE.equals(text);
      final String refused =
          hostile ? callHostApi(access.path("url").asText(), "wrong-token", call) + ", " : "";
      final int status = callHostApi(access.path("url").asText(), token, call);
      final String body =
          (hostile
                  ? delta("my token is " + token.substring(0, 10))
                      + delta(token.substring(10) + ".")
                  : "")
              + "{\"type\":\"message.completed\",\"data\":{\"message\":{\"role\":\"assistant\","
              + "\"content\":"
              + AvroJson.mapper()
                  .writeValueAsString("http says " + text + " (" + refused + status + ")")
              + "}}}\n{\"type\":\"run.completed\",\"data\":{\"finish_reason\":\"stop\"}}\n";
      final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** The {@code host_api} ({@code url}, {@code token}) the worker gave a run. */
  JsonNode access(final String runId) {
    return accesses.get(runId);
  }

  /** The status of a host-API call to {@code url} with {@code token}. */
  int callHostApi(final String url, final String token, final String body) throws IOException {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static String delta(final String content) throws IOException {
    return "{\"type\":\"message.delta\",\"data\":{\"chunk\":{\"role\":\"assistant\",\"content\":"
        + AvroJson.mapper().writeValueAsString(content)
        + "}}}\n";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
