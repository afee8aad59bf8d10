package dev.runledger.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CLI reads every page of a listing, against a local HTTP server that answers three. */
class PagesTest {
  private final List<String> asked = new CopyOnWriteArrayList<>();
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
  void shouldFollowNextCursorToTheLastPage() {
    // when
    final List<JsonNode> items =
        Pages.all(
            new ApiClient("http://127.0.0.1:" + server.getAddress().getPort()),
            "/v1/workspaces/w/bindings",
            "listing");

    // then
    assertThat(items).extracting(b -> b.path("binding_id").asText()).containsExactly("a", "b", "c");
    assertThat(asked).containsExactly("limit=1000", "limit=1000&cursor=c1", "limit=1000&cursor=c2");
  }

  private void answer(final HttpExchange exchange) throws IOException {
    final String query = exchange.getRequestURI().getRawQuery();
    asked.add(query);
    final String body =
        query.endsWith("cursor=c2")
            ? "{\"items\":[{\"binding_id\":\"c\"}],\"next_cursor\":null}"
            : query.endsWith("cursor=c1")
                ? "{\"items\":[{\"binding_id\":\"b\"}],\"next_cursor\":\"c2\"}"
                : "{\"items\":[{\"binding_id\":\"a\"}],\"next_cursor\":\"c1\"}";
    final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
