package dev.runledger.worker.hostapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The paths and credential the worker's view reads use, against a local HTTP server. */
class HttpViewReaderTest {
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void shouldReadEveryWorkspaceViewUnderTheRunsWorkspaceWithTheInternalToken() {
    // given
    final HttpViewReader views = reader(Optional.of("s3cret"));

    // when
    views.transcript("evil", "general", null, "c1", 5);
    views.searchTranscript("evil", "general", "plan", 3);
    views.decision("evil", "ev-1");
    views.run("run-1");
    views.state("evil", "runner", "builtin:scenario", "k");
    views.stateList("evil", "conversation", "general", "p");

    // then
    assertThat(requests)
        .containsExactly(
            "/v1/workspaces/evil/conversations/general/transcript?after=c1&limit=5 Bearer s3cret",
            "/v1/workspaces/evil/conversations/general/transcript/search?q=plan&top_k=3"
                + " Bearer s3cret",
            "/v1/workspaces/evil/events/ev-1 Bearer s3cret",
            "/v1/runs/run-1 Bearer s3cret",
            "/v1/workspaces/evil/state/runner/builtin%3Ascenario/k Bearer s3cret",
            "/v1/workspaces/evil/state/conversation/general?prefix=p&limit=1000 Bearer s3cret");
  }

  @Test
  void shouldFollowNextCursorToTheLastPageWhenListingState() {
    // when the views answer the scope "paged" in two pages
    final var listed = reader(Optional.empty()).stateList("w", "conversation", "paged", null);

    // then
    assertThat(listed.path("items"))
        .extracting(e -> e.path("key").asText())
        .containsExactly("a", "b");
    assertThat(requests)
        .containsExactly(
            "/v1/workspaces/w/state/conversation/paged?limit=1000 none",
            "/v1/workspaces/w/state/conversation/paged?limit=1000&cursor=c2 none");
  }

  @Test
  void shouldSendNoCredentialWhenNoInternalTokenIsSet() {
    // when
    reader(Optional.empty()).run("run-1");

    // then
    assertThat(requests).containsExactly("/v1/runs/run-1 none");
  }

  private HttpViewReader reader(final Optional<String> token) {
    return new HttpViewReader(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        Duration.ofSeconds(5),
        token);
  }

  private void answer(final HttpExchange exchange) throws IOException {
    final String auth = exchange.getRequestHeaders().getFirst("Authorization");
    requests.add(
        exchange.getRequestURI().getRawPath()
            + (exchange.getRequestURI().getRawQuery() == null
                ? ""
                : "?" + exchange.getRequestURI().getRawQuery())
            + " "
            + (auth == null ? "none" : auth));
    final String query = exchange.getRequestURI().getRawQuery();
    final String text =
        !exchange.getRequestURI().getRawPath().endsWith("/paged")
            ? "{\"items\":[]}"
            : query.contains("cursor=c2")
                ? "{\"items\":[{\"key\":\"b\"}],\"next_cursor\":null}"
                : "{\"items\":[{\"key\":\"a\"}],\"next_cursor\":\"c2\"}";
    final byte[] body = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
