package dev.runledger.deploy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.service.Service;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServerTest {
  private final AtomicBoolean workerUp = new AtomicBoolean(true);
  private final HttpClient client = HttpClient.newHttpClient();
  private HttpServer server;

  @BeforeEach
  void start() {
    final Consumer<Javalin> routes =
        app -> {
          app.get(
              "/v1/missing",
              ctx -> {
                throw ApiException.notFound("run r1 does not exist");
              });
          app.post(
              "/v1/bad",
              ctx -> {
                throw ApiException.invalid("event_type", "event_type is required");
              });
          app.get(
              "/v1/boom",
              ctx -> {
                throw new IllegalStateException("kaput");
              });
          app.post("/v1/size", ctx -> ctx.json(Map.of("bytes", ctx.bodyAsBytes().length)));
        };
    server =
        new HttpServer(
            LedgerConfig.of(Map.of(HttpServer.PORT, "0", HttpServer.HOST, "127.0.0.1")),
            () ->
                List.of(
                    new FakeService("worker", workerUp),
                    new FakeService("gateway", new AtomicBoolean(true))),
            List.of(routes),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldRenderApiExceptionWhenHandlerThrowsIt() throws Exception {
    // when
    final HttpResponse<String> notFound = get("/v1/missing");
    final HttpResponse<String> invalid = post("/v1/bad", "{}");

    // then
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertThat(json(notFound).at("/error/code").asText()).isEqualTo("not_found");
    assertThat(json(notFound).at("/error/message").asText()).isEqualTo("run r1 does not exist");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(json(invalid).at("/error/field").asText()).isEqualTo("event_type");
  }

  @Test
  void shouldAnswerJson404WhenRouteIsUnknown() throws Exception {
    // when
    final HttpResponse<String> response = get("/v1/nothing-here");

    // then
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(json(response).at("/error/code").asText()).isEqualTo("not_found");
  }

  @Test
  void shouldAnswer413WhenTheBodyIsOverTheServerLimit() throws Exception {
    // given a server whose own limit is small
    server.close();
    server =
        new HttpServer(
            LedgerConfig.of(
                Map.of(
                    HttpServer.PORT, "0",
                    HttpServer.HOST, "127.0.0.1",
                    HttpServer.MAX_REQUEST_BYTES, "1024")),
            List::of,
            List.of(
                app ->
                    app.post(
                        "/v1/size", ctx -> ctx.json(Map.of("bytes", ctx.bodyAsBytes().length)))),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();

    // when
    final HttpResponse<String> response = post("/v1/size", "x".repeat(4096));

    // then
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(json(response).at("/error/code").asText()).isEqualTo("payload_too_large");
  }

  @Test
  void shouldAnswer500InternalWhenHandlerFails() throws Exception {
    // when
    final HttpResponse<String> response = get("/v1/boom");

    // then
    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(json(response).at("/error/code").asText()).isEqualTo("internal");
  }

  @Test
  void shouldAcceptBodiesAboveOneMebibyteWhenUnderTheServerLimit() throws Exception {
    // when
    final HttpResponse<String> response = post("/v1/size", "x".repeat(2 * 1024 * 1024));

    // then
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json(response).get("bytes").asInt()).isEqualTo(2 * 1024 * 1024);
  }

  @Test
  void shouldReport503NamingTheServiceWhenOneIsUnhealthy() throws Exception {
    // given
    assertThat(get("/healthz").statusCode()).isEqualTo(200);

    // when
    workerUp.set(false);
    final HttpResponse<String> response = get("/healthz");

    // then
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).get("unhealthy").toString()).isEqualTo("[\"worker\"]");
    assertThat(json(response).at("/services/gateway").asText()).isEqualTo("up");
  }

  @Test
  void shouldExposePrometheusMetricsWhenScraped() throws Exception {
    // given
    get("/v1/missing");

    // when
    final HttpResponse<String> response = get("/metrics");

    // then
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("http_server_requests_seconds_count");
    assertThat(response.body()).contains("route=\"/v1/missing\"");
  }

  @Test
  void shouldAnswer405WithAllowWhenThePathDoesNotTakeTheMethod() throws Exception {
    // when
    final HttpResponse<String> response = get("/v1/bad");

    // then
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).contains("POST");
    assertThat(json(response).at("/error/code").asText()).isEqualTo("method_not_allowed");
    assertThat(json(response).at("/error/message").asText())
        .isEqualTo("GET is not allowed on /v1/bad; it takes POST");
  }

  @Test
  void shouldAnswerHealthAnd503UntilTheOwnerOfARouteHasStarted() throws Exception {
    // given a server started before the gateway, which owns /v1/ready
    server.close();
    final List<Service> started = new CopyOnWriteArrayList<>();
    final Service gateway = new FakeService("gateway", new AtomicBoolean(true));
    final Service worker = new FakeService("worker", new AtomicBoolean(true));
    server =
        new HttpServer(
            LedgerConfig.of(Map.of(HttpServer.PORT, "0", HttpServer.HOST, "127.0.0.1")),
            () -> started,
            List.of(worker, gateway),
            List.of(
                new HttpServer.Mount(gateway, app -> app.get("/v1/ready", ctx -> ctx.result("ok"))),
                new HttpServer.Mount(null, app -> app.get("/v1/always", ctx -> ctx.result("ok")))),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
    started.add(worker);

    // when
    final HttpResponse<String> health = get("/healthz");
    final HttpResponse<String> early = get("/v1/ready");
    final HttpResponse<String> always = get("/v1/always");
    started.add(gateway);
    final HttpResponse<String> later = get("/v1/ready");
    final HttpResponse<String> healthLater = get("/healthz");

    // then
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(json(health).at("/services/worker").asText()).isEqualTo("up");
    assertThat(json(health).at("/services/gateway").asText()).isEqualTo("starting");
    assertThat(json(health).get("unhealthy").toString()).isEqualTo("[\"gateway\"]");
    assertThat(early.statusCode()).isEqualTo(503);
    assertThat(json(early).at("/error/code").asText()).isEqualTo("unavailable");
    assertThat(json(early).at("/error/message").asText()).contains("gateway");
    assertThat(always.statusCode()).isEqualTo(200);
    assertThat(later.statusCode()).isEqualTo(200);
    assertThat(later.body()).isEqualTo("ok");
    assertThat(healthLater.statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> get(final String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(final String path, final String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(final String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static JsonNode json(final HttpResponse<String> response) throws Exception {
    return AvroJson.mapper().readTree(response.body());
  }

  private record FakeService(String name, AtomicBoolean up) implements Service {
    @Override
    public void start() {}

    @Override
    public boolean healthy() {
      return up.get();
    }

    @Override
    public void close() {}
  }
}
