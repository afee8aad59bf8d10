package dev.runledger.deploy.http;

import dev.runledger.schemas.config.Setting;
import java.util.List;

/** The settings of the {@link HttpServer} besides the shared {@code http.port}. */
public final class HttpServerSettings {
  public static final Setting<String> HOST =
      Setting.stringSetting(HttpServer.HOST, "0.0.0.0", "HTTP bind address");

  public static final Setting<Long> MAX_REQUEST_BYTES =
      Setting.longSetting(
              HttpServer.MAX_REQUEST_BYTES,
              HttpServer.DEFAULT_MAX_REQUEST_BYTES,
              "Javalin's own request limit, above the gateway's limits")
          .positive();

  /** Every setting of the server. */
  public static final List<Setting<?>> ALL = List.of(HOST, MAX_REQUEST_BYTES);

  private HttpServerSettings() {}
}
