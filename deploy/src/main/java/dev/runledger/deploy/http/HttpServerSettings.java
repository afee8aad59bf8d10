package dev.runledger.deploy.http;

import dev.runledger.schemas.config.Setting;
import java.util.List;

/** The settings of the {@link HttpServer} besides the shared {@code http.port}. */
public final class HttpServerSettings {
  public static final Setting<String> HOST =
      Setting.stringSetting(HttpServer.HOST, "0.0.0.0", "HTTP bind address")
          .shownAs("0.0.0.0 (127.0.0.1 in dev, demo and bench)");

  public static final Setting<Long> MAX_REQUEST_BYTES =
      Setting.longSetting(
              HttpServer.MAX_REQUEST_BYTES,
              HttpServer.DEFAULT_MAX_REQUEST_BYTES,
              "Javalin's own request limit, above the gateway's limits")
          .positive();

  /** The YAML file of API tokens ({@link TokenFile}); unset, authentication is off or refused. */
  public static final Setting<String> TOKENS_FILE =
      Setting.stringSetting(
              "auth.tokens.file", null, "YAML file of the API tokens (their SHA-256, never clear)")
          .shownAs("unset");

  /** Serve without authentication on any address; only when set explicitly. */
  public static final Setting<Boolean> AUTH_DISABLED =
      Setting.boolSetting(
          "auth.disabled", false, "serve every request without a token, on any address");

  /** {@code GET /metrics} without a token (for a scraper that cannot send one). */
  public static final Setting<Boolean> METRICS_OPEN =
      Setting.boolSetting("auth.metrics.open", false, "GET /metrics without a token");

  /** Every setting of the server. */
  public static final List<Setting<?>> ALL =
      List.of(HOST, MAX_REQUEST_BYTES, TOKENS_FILE, AUTH_DISABLED, METRICS_OPEN);

  private HttpServerSettings() {}
}
