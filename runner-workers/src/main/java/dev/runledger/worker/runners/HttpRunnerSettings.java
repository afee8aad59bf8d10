package dev.runledger.worker.runners;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.Setting;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The settings of one {@code http:<name>} runner, under {@code worker.runners.http.<name>.}: {@code
 * url} (required) where the run context is POSTed; {@code headers.<Name>} extra request headers
 * (values are treated as secrets: redacted from logs and stored results); {@code
 * connect_timeout_ms} (default 5000); {@code max_line_bytes} (default 2097152), {@code
 * max_output_bytes} (default 67108864), {@code max_invalid_lines} (default 1000). Plus the manifest
 * keys of {@link RunnerDeclaration}.
 *
 * <p>The host-API endpoint runners call back is the worker's, set by {@code worker.http.host}
 * (default 127.0.0.1), {@code worker.http.port} (default 0: any free port) and {@code
 * worker.http.advertised.url} (default {@code http://<host>:<port>}).
 */
public record HttpRunnerSettings(
    URI url,
    Map<String, String> headers,
    Duration connectTimeout,
    int maxLineBytes,
    long maxOutputBytes,
    int maxInvalidLines) {

  static final String HTTP = RunnerDeclaration.PREFIX + "http.<name>.";

  public static final String HTTP_HOST = "worker.http.host";
  public static final Setting<String> HOST =
      Setting.stringSetting(HTTP_HOST, "127.0.0.1", "interface of the worker's host-API endpoint");

  public static final String HTTP_PORT = "worker.http.port";
  public static final Setting<Integer> PORT =
      Setting.intSetting(HTTP_PORT, 0, "port of the worker's host-API endpoint, 0 for any free one")
          .between(0, 65_535);

  public static final String HTTP_ADVERTISED_URL = "worker.http.advertised.url";
  public static final Setting<String> ADVERTISED_URL =
      Setting.stringSetting(HTTP_ADVERTISED_URL, null, "base URL http runners reach it at")
          .shownAs("http://<host>:<port>");

  public static final Setting<String> URL =
      Setting.stringSetting(HTTP + "url", "", "where the run context is POSTed").shownAs("—");
  public static final Setting<String> HEADERS =
      Setting.stringSetting(HTTP + "headers.<Name>", null, "an extra request header (secret)");
  public static final Setting<Duration> CONNECT_TIMEOUT =
      Setting.millisSetting(HTTP + "connect_timeout_ms", 5000, "connect timeout").atLeast(0);

  /** Every setting of the worker's http runners, those every runner has apart. */
  public static final List<Setting<?>> ALL =
      List.of(HOST, PORT, ADVERTISED_URL, URL, HEADERS, CONNECT_TIMEOUT);

  /** The settings of a declared runner. */
  public static HttpRunnerSettings from(final RunnerDeclaration d) {
    final URI url;
    try {
      url = URI.create(d.get(URL).strip());
    } catch (final IllegalArgumentException e) {
      throw new ConfigException(d.key("url"), d.key("url") + " is not a URL");
    }
    if (url.getScheme() == null || !url.getScheme().startsWith("http")) {
      throw new ConfigException(d.key("url"), d.key("url") + " must be an http(s) URL");
    }
    return new HttpRunnerSettings(
        url,
        d.subkeys("headers"),
        Duration.ofMillis(Math.max(1, d.get(CONNECT_TIMEOUT).toMillis())),
        (int) Math.max(1024, d.get(RunnerSettings.MAX_LINE_BYTES)),
        Math.max(1024, d.get(RunnerSettings.MAX_OUTPUT_BYTES)),
        d.get(RunnerSettings.MAX_INVALID_LINES).intValue());
  }
}
