package dev.runledger.deploy.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.json.AvroJson;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's files ({@code GET /}, {@code GET /console/{asset}}) and {@code GET /v1/whoami},
 * served by {@link HttpServer} with and without authentication.
 */
class ConsoleRoutesTest {
  private static final String READER = TokenFile.newToken();

  private final HttpClient client = HttpClient.newHttpClient();

  @TempDir Path dir;

  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void shouldServeTheConsoleWithoutATokenWhenAuthenticationIsOn() throws Exception {
    // given
    start(withTokens());

    // when
    final HttpResponse<String> page = get(ApiPaths.CONSOLE, null);
    final HttpResponse<String> script = get("/console/app.js", null);
    final HttpResponse<String> style = get("/console/style.css", null);

    // then
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type").orElseThrow()).startsWith("text/html");
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
        .startsWith("default-src 'self'");
    assertThat(page.body()).contains("<script type=\"module\" src=\"/console/app.js\">");
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(script.body()).contains("/v1/whoami");
    assertThat(style.headers().firstValue("content-type").orElseThrow()).startsWith("text/css");
  }

  @Test
  void shouldAnswer404WhenTheConsoleHasNoSuchFile() throws Exception {
    // given
    start(withTokens());

    // when / then
    for (final String path :
        List.of("/console/nope.js", "/console/app", "/console/.hidden", "/console/a.b.js")) {
      final HttpResponse<String> response = get(path, null);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(json(response).at("/error/code").asText()).as(path).isEqualTo("not_found");
    }
  }

  @Test
  void shouldNameTheTokensRoleAndWorkspacesWhenAskedWhoAmI() throws Exception {
    // given
    start(withTokens());

    // when
    final HttpResponse<String> reader = get(ApiPaths.WHOAMI, READER);
    final HttpResponse<String> nobody = get(ApiPaths.WHOAMI, null);

    // then
    assertThat(reader.statusCode()).isEqualTo(200);
    assertThat(json(reader))
        .isEqualTo(
            AvroJson.mapper()
                .readTree(
                    "{\"name\":\"acme-reader\",\"role\":\"reader\","
                        + "\"workspaces\":[\"acme\",\"acme-eu\"],\"authentication\":true}"));
    assertThat(nobody.statusCode()).isEqualTo(401);
  }

  @Test
  void shouldAnswerAnAdminOfEveryWorkspaceWhenAuthenticationIsOff() throws Exception {
    // given
    start(Map.of());

    // when
    final HttpResponse<String> anonymous = get(ApiPaths.WHOAMI, null);

    // then
    assertThat(json(anonymous))
        .isEqualTo(
            AvroJson.mapper()
                .readTree(
                    "{\"name\":\"anonymous\",\"role\":\"admin\",\"workspaces\":[\"*\"],"
                        + "\"authentication\":false}"));
  }

  private Map<String, String> withTokens() {
    final Path tokens = dir.resolve("tokens.yaml");
    TokenFile.append(
        tokens,
        new TokenFile.Entry(
            "acme-reader",
            TokenFile.sha256(READER),
            Caller.Role.READER,
            List.of("acme-eu", "acme")));
    return Map.of(HttpServerSettings.TOKENS_FILE.key(), tokens.toString());
  }

  private void start(final Map<String, String> settings) {
    final Map<String, String> all = new HashMap<>();
    all.put(HttpServer.PORT, "0");
    all.put(HttpServer.HOST, "127.0.0.1");
    all.putAll(settings);
    server =
        new HttpServer(
            LedgerConfig.of(all),
            List::of,
            List.of(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
  }

  private HttpResponse<String> get(final String path, final String token) throws Exception {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(final HttpResponse<String> response) throws Exception {
    return AvroJson.mapper().readTree(response.body());
  }
}
