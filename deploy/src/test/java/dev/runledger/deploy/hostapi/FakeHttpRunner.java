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

/**
 * An {@code http:*} runner for the end-to-end tests: on {@code run.start} it writes the input text
 * to conversation state through the worker's host-API endpoint, then streams the text back as
 * NDJSON and completes.
 */
final class FakeHttpRunner implements AutoCloseable {
  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

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
      final String call =
          "{\"method\":\"state_set\",\"params\":{\"scope\":\"conversation\",\"key\":\"http.last\","
              + "\"value\":"
              + AvroJson.mapper().writeValueAsString(text)
              + "}}";
      final int status = callHostApi(start.path("host_api"), call);
      final String body =
          "{\"type\":\"message.completed\",\"data\":{\"message\":{\"role\":\"assistant\","
              + "\"content\":"
              + AvroJson.mapper().writeValueAsString("http says " + text + " (" + status + ")")
              + "}}}\n{\"type\":\"run.completed\",\"data\":{\"finish_reason\":\"stop\"}}\n";
      final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private int callHostApi(final JsonNode access, final String body) throws IOException {
    try {
      return client
          .send(
              HttpRequest.newBuilder(URI.create(access.path("url").asText()))
                  .header("Authorization", "Bearer " + access.path("token").asText())
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .statusCode();
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
