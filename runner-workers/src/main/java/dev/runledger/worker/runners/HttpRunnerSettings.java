package dev.runledger.worker.runners;

import dev.runledger.schemas.config.ConfigException;
import java.net.URI;
import java.time.Duration;
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

  /** Interface of the worker's host-API endpoint for http runners (default 127.0.0.1). */
  public static final String HTTP_HOST = "worker.http.host";

  /** Port of the worker's host-API endpoint for http runners (default 0, any free port). */
  public static final String HTTP_PORT = "worker.http.port";

  /** Base URL http runners reach the endpoint at (default {@code http://<host>:<port>}). */
  public static final String HTTP_ADVERTISED_URL = "worker.http.advertised.url";

  /** The settings of a declared runner. */
  public static HttpRunnerSettings from(final RunnerDeclaration d) {
    final URI url;
    try {
      url = URI.create(d.get("url", "").strip());
    } catch (final IllegalArgumentException e) {
      throw new ConfigException(d.key("url"), d.key("url") + " is not a URL");
    }
    if (url.getScheme() == null || !url.getScheme().startsWith("http")) {
      throw new ConfigException(d.key("url"), d.key("url") + " must be an http(s) URL");
    }
    return new HttpRunnerSettings(
        url,
        d.subkeys("headers"),
        Duration.ofMillis(Math.max(1, d.getLong("connect_timeout_ms", 5000))),
        (int) Math.max(1024, d.getLong("max_line_bytes", 2L << 20)),
        Math.max(1024, d.getLong("max_output_bytes", 64L << 20)),
        (int) d.getLong("max_invalid_lines", 1000));
  }
}
