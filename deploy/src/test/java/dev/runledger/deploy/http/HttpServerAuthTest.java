package dev.runledger.deploy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.Access;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authentication step of {@link HttpServer}, on fake routes registered on ApiPaths templates.
 */
class HttpServerAuthTest {
  private static final String ADMIN = TokenFile.newToken();
  private static final String WRITER = TokenFile.newToken();
  private static final String READER = TokenFile.newToken();
  private static final String ACME_ADMIN = TokenFile.newToken();
  private static final String INTERNAL = "internal-" + TokenFile.newToken();

  private final HttpClient client = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @TempDir Path dir;

  private Path tokens;
  private HttpServer server;

  /** Each route answers the name of its caller. */
  private static final Consumer<Javalin> ROUTES =
      app -> {
        app.get(ApiPaths.RUNS, HttpServerAuthTest::callerName);
        app.put(ApiPaths.BINDING, HttpServerAuthTest::callerName);
        app.get(ApiPaths.RUN, HttpServerAuthTest::callerName);
        app.get(ApiPaths.DIGESTS, HttpServerAuthTest::callerName);
        app.post(
            ApiPaths.EVENTS,
            ctx -> {
              // as the gateway does once it has read the body's workspace
              Caller.of(ctx.attribute(Caller.ATTRIBUTE))
                  .require(Access.WRITE, ctx.queryParam("workspace"));
              callerName(ctx);
            });
      };

  @BeforeEach
  void tokensFile() {
    tokens = dir.resolve("tokens.yaml");
    TokenFile.append(tokens, entry("ops", ADMIN, Caller.Role.ADMIN, "*"));
    TokenFile.append(tokens, entry("acme-writer", WRITER, Caller.Role.WRITER, "acme"));
    TokenFile.append(tokens, entry("acme-reader", READER, Caller.Role.READER, "acme"));
    TokenFile.append(tokens, entry("acme-admin", ACME_ADMIN, Caller.Role.ADMIN, "acme"));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void shouldAnswer401WithWwwAuthenticateWhenNoTokenOrAnUnknownOneIsSent() throws Exception {
    // given
    start(Map.of(HttpServerSettings.TOKENS_FILE.key(), tokens.toString()));

    // when
    final HttpResponse<String> none = get(ApiPaths.runs("acme"), null);
    final HttpResponse<String> unknown = get(ApiPaths.runs("acme"), TokenFile.newToken());

    // then
    for (final HttpResponse<String> response : List.of(none, unknown)) {
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"runledger\"");
      assertThat(json(response).at("/error/code").asText()).isEqualTo("unauthenticated");
    }
    assertThat(denied("401", "missing_token")).isEqualTo(1.0);
    assertThat(denied("401", "unknown_token")).isEqualTo(1.0);
  }

  @Test
  void shouldAnswer403WhenTheRoleOrTheWorkspaceIsOutsideTheToken() throws Exception {
    // given
    start(Map.of(HttpServerSettings.TOKENS_FILE.key(), tokens.toString()));

    // when
    final HttpResponse<String> role = put(ApiPaths.binding("acme", "b1"), WRITER);
    final HttpResponse<String> workspace = get(ApiPaths.runs("evil"), READER);
    final HttpResponse<String> inBody = post(ApiPaths.EVENTS + "?workspace=evil", WRITER);

    // then
    assertThat(role.statusCode()).isEqualTo(403);
    assertThat(json(role).at("/error/code").asText()).isEqualTo("forbidden");
    assertThat(json(role).at("/error/message").asText())
        .contains("'acme-writer'", "writer", "admin needed")
        .doesNotContain(WRITER);
    assertThat(workspace.statusCode()).isEqualTo(403);
    assertThat(json(workspace).at("/error/message").asText()).contains("'evil'");
    assertThat(inBody.statusCode()).isEqualTo(403);
    assertThat(denied("403", "role")).isEqualTo(1.0);
    assertThat(denied("403", "workspace")).isEqualTo(1.0);
    assertThat(denied("403", "route")).isEqualTo(1.0);
  }

  @Test
  void shouldAnswer403WhenAnAdminOfSomeWorkspacesCallsARouteOutsideAnyWorkspace() throws Exception {
    // given
    start(Map.of(HttpServerSettings.TOKENS_FILE.key(), tokens.toString()));

    // when
    final HttpResponse<String> some = get(ApiPaths.DIGESTS, ACME_ADMIN);
    final HttpResponse<String> all = get(ApiPaths.DIGESTS, ADMIN);

    // then
    assertThat(some.statusCode()).isEqualTo(403);
    assertThat(json(some).at("/error/message").asText()).contains("every workspace");
    assertThat(put(ApiPaths.binding("acme", "b1"), ACME_ADMIN).body()).isEqualTo("acme-admin");
    assertThat(all.body()).isEqualTo("ops");
  }

  @Test
  void shouldPassTheCallerToTheRouteWhenTheTokenCoversIt() throws Exception {
    // given
    start(
        Map.of(
            HttpServerSettings.TOKENS_FILE.key(),
            tokens.toString(),
            CoreSettings.AUTH_INTERNAL_TOKEN.key(),
            INTERNAL));

    // when / then
    assertThat(get(ApiPaths.runs("acme"), READER).body()).isEqualTo("acme-reader");
    assertThat(get(ApiPaths.run("r-1"), READER).body()).isEqualTo("acme-reader");
    assertThat(post(ApiPaths.EVENTS + "?workspace=acme", WRITER).body()).isEqualTo("acme-writer");
    assertThat(put(ApiPaths.binding("evil", "b1"), ADMIN).body()).isEqualTo("ops");
    assertThat(put(ApiPaths.binding("evil", "b1"), INTERNAL).body()).isEqualTo("internal");
    assertThat(send(request(ApiPaths.runs("acme")).header("x-api-key", READER).GET()).body())
        .isEqualTo("acme-reader");
    assertThat(
            send(request(ApiPaths.runs("acme")).header("Authorization", "bearer " + READER).GET())
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void shouldKeepHealthOpenAndMetricsClosedUnlessMetricsAreOpen() throws Exception {
    // given
    start(Map.of(HttpServerSettings.TOKENS_FILE.key(), tokens.toString()));

    // when / then
    assertThat(get(ApiPaths.HEALTH, null).statusCode()).isEqualTo(200);
    assertThat(get(ApiPaths.METRICS, null).statusCode()).isEqualTo(401);
    assertThat(get(ApiPaths.METRICS, READER).statusCode()).isEqualTo(200);

    server.close();
    start(
        Map.of(
            HttpServerSettings.TOKENS_FILE.key(),
            tokens.toString(),
            HttpServerSettings.METRICS_OPEN.key(),
            "true"));
    assertThat(get(ApiPaths.METRICS, null).statusCode()).isEqualTo(200);
    assertThat(get(ApiPaths.runs("acme"), null).statusCode()).isEqualTo(401);
  }

  @Test
  void shouldAnswerUnknownPathsWith404WithoutAToken() throws Exception {
    // given
    start(Map.of(HttpServerSettings.TOKENS_FILE.key(), tokens.toString()));

    // when
    final HttpResponse<String> response = get("/v1/nothing-here", null);

    // then
    assertThat(response.statusCode()).isEqualTo(404);
  }

  @Test
  void shouldGiveEveryRequestTheUnrestrictedCallerWhenAuthenticationIsOff() throws Exception {
    // given no tokens file, on loopback
    start(Map.of(CoreSettings.AUTH_INTERNAL_TOKEN.key(), INTERNAL));

    // when / then
    assertThat(server.authentication())
        .isEqualTo("authentication is off (no auth.tokens.file); bound to loopback only");
    assertThat(put(ApiPaths.binding("evil", "b1"), null).body()).isEqualTo("anonymous");
    assertThat(put(ApiPaths.binding("evil", "b1"), READER).body()).isEqualTo("anonymous");
    assertThat(put(ApiPaths.binding("evil", "b1"), INTERNAL).body()).isEqualTo("internal");
  }

  @Test
  void shouldServeAnyAddressWithoutTokensWhenAuthenticationIsDisabledExplicitly() {
    // when
    final HttpServer disabled =
        server(Map.of(HttpServer.HOST, "0.0.0.0", HttpServerSettings.AUTH_DISABLED.key(), "true"));

    // then
    assertThat(disabled.authentication()).isEqualTo("authentication is off (auth.disabled=true)");
  }

  @Test
  void shouldRefuseToStartWhenANonLoopbackAddressHasNoTokens() {
    // when / then
    assertThatThrownBy(() -> server(Map.of(HttpServer.HOST, "0.0.0.0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("auth.tokens.file")
        .hasMessageContaining("auth.disabled=true");
  }

  @Test
  void shouldRefuseToStartWhenTheTokensFileIsBad() {
    // when / then
    assertThatThrownBy(
            () ->
                server(
                    Map.of(
                        HttpServerSettings.TOKENS_FILE.key(),
                        dir.resolve("missing.yaml").toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("missing.yaml")
        .hasMessageContaining("cannot be read");
  }

  @Test
  void shouldTellLoopbackAddressesFromOthers() {
    assertThat(List.of("127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"))
        .allMatch(Authenticator::isLoopback);
    assertThat(List.of("0.0.0.0", "10.0.0.1", "::", "example.com", "127.0.0.1.example.com"))
        .noneMatch(Authenticator::isLoopback);
  }

  private void start(final Map<String, String> settings) {
    server = server(settings);
    server.start();
  }

  private HttpServer server(final Map<String, String> settings) {
    final Map<String, String> all = new HashMap<>();
    all.put(HttpServer.PORT, "0");
    all.put(HttpServer.HOST, "127.0.0.1");
    all.putAll(settings);
    return new HttpServer(LedgerConfig.of(all), List::of, List.of(ROUTES), registry);
  }

  private double denied(final String status, final String reason) {
    return registry
        .get("runledger.http.auth.denied")
        .tag("status", status)
        .tag("reason", reason)
        .counter()
        .count();
  }

  private static void callerName(final Context ctx) {
    ctx.result(Caller.of(ctx.attribute(Caller.ATTRIBUTE)).name());
  }

  private static TokenFile.Entry entry(
      final String name, final String token, final Caller.Role role, final String workspace) {
    return new TokenFile.Entry(name, TokenFile.sha256(token), role, List.of(workspace));
  }

  private HttpResponse<String> get(final String path, final String token) throws Exception {
    return send(bearer(request(path), token).GET());
  }

  private HttpResponse<String> put(final String path, final String token) throws Exception {
    return send(bearer(request(path), token).PUT(HttpRequest.BodyPublishers.ofString("{}")));
  }

  private HttpResponse<String> post(final String path, final String token) throws Exception {
    return send(bearer(request(path), token).POST(HttpRequest.BodyPublishers.ofString("{}")));
  }

  private static HttpRequest.Builder bearer(final HttpRequest.Builder request, final String token) {
    return token == null ? request : request.header("Authorization", "Bearer " + token);
  }

  private HttpRequest.Builder request(final String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
  }

  private HttpResponse<String> send(final HttpRequest.Builder request) throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(final HttpResponse<String> response) throws Exception {
    return AvroJson.mapper().readTree(response.body());
  }
}
