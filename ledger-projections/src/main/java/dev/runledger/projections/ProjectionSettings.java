package dev.runledger.projections;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import java.net.URI;
import java.util.Optional;

/**
 * The projections' own settings, read from {@link LedgerConfig}.
 *
 * <ul>
 *   <li>{@value #APPLICATION_ID} — Kafka Streams application id; default: the topic prefix + {@code
 *       projections}.
 *   <li>{@value #ADVERTISED_URL} — URL at which other projection instances reach this one's HTTP
 *       API, e.g. {@code http://10.0.0.5:8080}; sets Kafka Streams' {@code application.server} so
 *       queries for keys owned elsewhere can be forwarded; default: unset (single instance).
 *   <li>{@value #COMMIT_INTERVAL_MS} — Kafka Streams commit interval in ms; default {@value
 *       #DEFAULT_COMMIT_INTERVAL_MS}.
 * </ul>
 */
public final class ProjectionSettings {
  /** Kafka Streams application id of the projections. */
  public static final String APPLICATION_ID = "projections.application.id";

  /** URL other instances use to reach this instance's HTTP API. */
  public static final String ADVERTISED_URL = "projections.advertised.url";

  /** Commit interval of the projections, in ms. */
  public static final String COMMIT_INTERVAL_MS = "projections.commit.interval.ms";

  /** Default commit interval. */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;

  private ProjectionSettings() {}

  /** The application id: {@value #APPLICATION_ID}, or the topic prefix + {@code projections}. */
  public static String applicationId(final LedgerConfig config) {
    return config.get(APPLICATION_ID, config.topicSettings().prefix() + "projections");
  }

  /** {@code host:port} for Kafka Streams' {@code application.server}, when a URL is advertised. */
  public static Optional<String> applicationServer(final LedgerConfig config) {
    final String url = config.get(ADVERTISED_URL, "").strip();
    if (url.isEmpty()) {
      return Optional.empty();
    }
    final URI uri = URI.create(url.contains("://") ? url : "http://" + url);
    if (uri.getHost() == null) {
      throw new ConfigException(
          ADVERTISED_URL, ADVERTISED_URL + " must look like http://host:port, got '" + url + "'");
    }
    final int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(uri.getScheme());
    return Optional.of(uri.getHost() + ":" + port);
  }

  private static int defaultPort(final String scheme) {
    return "https".equalsIgnoreCase(scheme) ? 443 : 80;
  }
}
