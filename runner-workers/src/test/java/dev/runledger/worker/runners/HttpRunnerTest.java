package dev.runledger.worker.runners;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunFailed;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.spi.AgentRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpRunnerTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;
  private final List<String> callbacks = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void shouldStreamNdjsonResultsAndServeHostApiCallsWithTheRunToken() throws Exception {
    // given a runner endpoint that calls the host API, then streams NDJSON
    final AgentRunner runner =
        runner(
            exchange -> {
              final JsonNode start = AvroJson.mapper().readTree(exchange.getRequestBody());
              final String api = start.path("host_api").path("url").asText();
              final String token = start.path("host_api").path("token").asText();
              callbacks.add(callback(api, token, "{\"method\":\"history_page\",\"params\":{}}"));
              callbacks.add(callback(api, "wrong", "{\"method\":\"history_page\",\"params\":{}}"));
              callbacks.add(callback(api, token, "{\"method\":\"forbidden\",\"params\":{}}"));
              respond(
                  exchange,
                  "application/x-ndjson",
                  "{\"type\":\"message.completed\",\"data\":{\"message\":{\"role\":\"assistant\",\"content\":\""
                      + start.path("context").path("input").path("text").asText()
                      + "\"}}}\n"
                      + "not json\n"
                      + "{\"type\":\"run.completed\",\"data\":{\"finish_reason\":\"stop\"}}\n");
            });
    final ProcSession session = new ProcSession();

    // when
    runner.run(Fixtures.context("run-1", "hi http", "{}", Fixtures.NOW.plusSeconds(60)), session);

    // then
    assertThat(session.results)
        .extracting(r -> r.getType())
        .containsExactly("message.completed", "run.completed");
    assertThat(((MessageCompleted) session.results.get(0).getPayload()).getMessage().getContent())
        .isEqualTo("hi http");
    assertThat(callbacks.get(0)).startsWith("200 ").contains("\"method\":\"history_page\"");
    assertThat(callbacks.get(1)).startsWith("401 ").contains("unauthorized");
    assertThat(callbacks.get(2)).startsWith("403 ").contains("unauthorized");
    assertThat(session.calls)
        .containsExactly("history_page {}", "refused history_page token", "forbidden {}");
  }

  @Test
  void shouldMaskTheRunsTokenEscapedOrSplitAcrossDeltasInWhatTheRunnerStreams() throws Exception {
    // given a runner that writes its token back: JSON-escaped, then split over two deltas
    final AgentRunner runner =
        runner(
            exchange -> {
              final JsonNode start = AvroJson.mapper().readTree(exchange.getRequestBody());
              final String token = start.path("host_api").path("token").asText();
              final String escaped =
                  String.format("\\u%04x", (int) token.charAt(0)) + token.substring(1);
              respond(
                  exchange,
                  "application/x-ndjson",
                  delta("my token: " + token.substring(0, 10))
                      + delta(token.substring(10) + ".")
                      + "{\"type\":\"message.completed\",\"data\":{\"message\":{\"role\":\"assistant\",\"content\":\""
                      + escaped
                      + "\"}}}\n"
                      + "{\"type\":\"run.completed\",\"data\":{\"finish_reason\":\"stop\"}}\n");
            });
    final ProcSession session = new ProcSession();

    // when
    runner.run(Fixtures.context("run-1", "hi", "{}", Fixtures.NOW.plusSeconds(60)), session);

    // then
    assertThat(session.results)
        .extracting(r -> r.getType())
        .containsExactly("message.delta", "message.delta", "message.completed", "run.completed");
    assertThat(
            session.results.stream()
                .filter(r -> r.getPayload() instanceof MessageDelta)
                .map(r -> ((MessageDelta) r.getPayload()).getChunk().getContent())
                .reduce("", String::concat))
        .isEqualTo("my token: " + Redactor.MASK + ".");
    assertThat(((MessageCompleted) session.results.get(2).getPayload()).getMessage().getContent())
        .isEqualTo(Redactor.MASK);
  }

  private static String delta(final String content) {
    return "{\"type\":\"message.delta\",\"data\":{\"chunk\":{\"role\":\"assistant\",\"content\":\""
        + content
        + "\"}}}\n";
  }

  @Test
  void shouldReadServerSentEvents() throws Exception {
    final AgentRunner runner =
        runner(
            exchange ->
                respond(
                    exchange,
                    "text/event-stream",
                    ": comment\n"
                        + "event: result\n"
                        + "data: {\"type\":\"message.delta\",\n"
                        + "data: \"data\":{\"chunk\":{\"role\":\"assistant\",\"content\":\"a\"}}}\n\n"
                        + "data: {\"type\":\"run.failed\",\"data\":{\"code\":\"x.y\",\"message\":\"bad\"}}\n\n"));
    final ProcSession session = new ProcSession();

    runner.run(Fixtures.context("run-1", "hi", "{}", Fixtures.NOW.plusSeconds(60)), session);

    assertThat(session.results)
        .extracting(r -> r.getType())
        .containsExactly("message.delta", "run.failed");
    assertThat(((RunFailed) session.terminal().getPayload()).getError()).isEqualTo("bad");
  }

  @Test
  void shouldFailWithHttpStatusWhenTheEndpointAnswersAnError() throws Exception {
    final AgentRunner runner =
        runner(
            exchange -> {
              exchange.sendResponseHeaders(500, -1);
              exchange.close();
            });
    final ProcSession session = new ProcSession();

    runner.run(Fixtures.context("run-1", "hi", "{}", Fixtures.NOW.plusSeconds(60)), session);

    assertThat(((RunFailed) session.terminal().getPayload()).getCode())
        .isEqualTo("runner.http_status");
  }

  @Test
  void shouldFailNoOutputWhenTheStreamEndsWithoutATerminal() throws Exception {
    final AgentRunner runner = runner(exchange -> respond(exchange, "application/x-ndjson", ""));
    final ProcSession session = new ProcSession();

    runner.run(Fixtures.context("run-1", "hi", "{}", Fixtures.NOW.plusSeconds(60)), session);

    assertThat(((RunFailed) session.terminal().getPayload()).getCode()).isEqualTo("no_output");
  }

  interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  private AgentRunner runner(final Handler handler) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/run", handler::handle);
    server.start();
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                "worker.runners.http.t.url",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/run"));
    return new ExternalRunnerProvider().runners(config).get(0);
  }

  private String callback(final String url, final String token, final String body) {
    try {
      final HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() + " " + response.body();
    } catch (final IOException e) {
      return "io " + e;
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  private static void respond(final HttpExchange exchange, final String type, final String body)
      throws IOException {
    final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }
}
