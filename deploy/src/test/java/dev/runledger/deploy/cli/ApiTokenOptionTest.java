package dev.runledger.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.http.HttpServerSettings;
import dev.runledger.deploy.http.TokenFile;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --token}: the CLI's requests carry it as a bearer token. */
class ApiTokenOptionTest {
  private static final String TOKEN = TokenFile.newToken();

  @TempDir Path dir;

  private HttpServer server;

  @BeforeEach
  void start() {
    final Path tokens = dir.resolve("tokens.yaml");
    TokenFile.append(
        tokens,
        new TokenFile.Entry("cli", TokenFile.sha256(TOKEN), Caller.Role.READER, List.of("*")));
    server =
        new HttpServer(
            LedgerConfig.of(
                Map.of(
                    HttpServer.PORT,
                    "0",
                    HttpServer.HOST,
                    "127.0.0.1",
                    HttpServerSettings.TOKENS_FILE.key(),
                    tokens.toString())),
            List::of,
            List.of(
                app ->
                    app.get(
                        ApiPaths.RUN,
                        ctx ->
                            ctx.json(
                                Map.of(
                                    "run_id",
                                    ctx.pathParam("run_id"),
                                    "status",
                                    Caller.of(ctx.attribute(Caller.ATTRIBUTE)).name())))),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldSendTheTokenAsBearerWhenGivenToken() {
    // when
    final Cli.Result result =
        Cli.run("runs", "get", "r-1", "--url", url(), "--token", TOKEN, "-o", "json");

    // then
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).contains("\"r-1\"", "\"cli\"");
  }

  @Test
  void shouldPrintTheCodeAndExitNonZeroWhenTheServerAnswers401() {
    // when
    final Cli.Result none = Cli.run("runs", "get", "r-1", "--url", url());
    final Cli.Result wrong =
        Cli.run("runs", "get", "r-1", "--url", url(), "--token", TokenFile.newToken());

    // then
    for (final Cli.Result result : List.of(none, wrong)) {
      assertThat(result.code()).isEqualTo(1);
      assertThat(result.err())
          .contains("ledger runs get:", "HTTP 401", "unauthenticated", "RUNLEDGER_TOKEN");
    }
  }

  private String url() {
    return "http://127.0.0.1:" + server.port();
  }
}
