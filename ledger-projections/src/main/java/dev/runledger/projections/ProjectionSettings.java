package dev.runledger.projections;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import dev.runledger.schemas.config.StreamsLatency;
import dev.runledger.schemas.config.StreamsMemory;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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
 *   <li>{@link #LATENCY} — the commit interval ({@code projections.commit.interval.ms}, default
 *       {@value #DEFAULT_COMMIT_INTERVAL_MS}), poll time, producer linger and retry backoff.
 *   <li>{@link #MEMORY} — the RocksDB block cache all stores of an instance share and the
 *       memtables' budget inside it.
 *   <li>{@value #DELIVERIES_COALESCE_MS} — how long {@code message.delta} chunks are gathered
 *       before they go to the deliveries topic as one message; default {@value
 *       #DEFAULT_DELIVERIES_COALESCE_MS}.
 *   <li>{@value #FORWARD_TIMEOUT_MS} — timeout of a query forwarded to another instance; default
 *       {@value #DEFAULT_FORWARD_TIMEOUT_MS}.
 * </ul>
 */
public final class ProjectionSettings {
  /** Kafka Streams application id of the projections. */
  public static final String APPLICATION_ID = "projections.application.id";

  /** URL other instances use to reach this instance's HTTP API. */
  public static final String ADVERTISED_URL = "projections.advertised.url";

  /** Default commit interval. */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 100;

  /** How long deltas are gathered before they are delivered, in ms. */
  public static final String DELIVERIES_COALESCE_MS = "projections.deliveries.coalesce.ms";

  /** Default delta gathering interval. */
  public static final long DEFAULT_DELIVERIES_COALESCE_MS = 250;

  /** Timeout of a query forwarded to another instance, in ms. */
  public static final String FORWARD_TIMEOUT_MS = "projections.forward.timeout.ms";

  /** Default forwarding timeout. */
  public static final long DEFAULT_FORWARD_TIMEOUT_MS = 10_000;

  public static final Setting<String> APPLICATION =
      Setting.stringSetting(APPLICATION_ID, null, "Kafka Streams application id of the projections")
          .defaultFrom(
              "<topic.prefix>projections",
              config -> config.topicSettings().prefix() + "projections");

  public static final Setting<String> ADVERTISED =
      Setting.stringSetting(
              ADVERTISED_URL, "", "host:port other projection instances reach this one at")
          .shownAs("unset");

  /**
   * The projections' Kafka Streams latency settings ({@link StreamsLatency}): commit every 100 ms
   * (queries see a fold as soon as it is processed; the interval bounds how far changelogs, and so
   * restores and standbys, lag and how much work a crash replays), Streams' own 100 ms poll (no
   * reader waits on the projections' commits but the deliveries topic), producer linger 5 ms, first
   * retry backoff 10 ms.
   */
  public static final StreamsLatency LATENCY =
      StreamsLatency.of("projections", DEFAULT_COMMIT_INTERVAL_MS, 100, 5, 10);

  /** {@code projections.commit.interval.ms}. */
  public static final String COMMIT_INTERVAL_MS = LATENCY.commitInterval().key();

  /**
   * RocksDB memory of an instance: {@code projections.rocksdb.cache.bytes} 64 MiB, {@code
   * projections.rocksdb.write.buffer.bytes} 16 MiB.
   */
  public static final StreamsMemory MEMORY =
      StreamsMemory.of("projections", 64L * 1024 * 1024, 16L * 1024 * 1024);

  public static final Setting<Duration> DELIVERIES_COALESCE =
      Setting.millisSetting(
              DELIVERIES_COALESCE_MS,
              DEFAULT_DELIVERIES_COALESCE_MS,
              "how long message.delta chunks are gathered before going to deliveries")
          .atLeast(0);

  public static final Setting<Duration> FORWARD_TIMEOUT =
      Setting.millisSetting(
              FORWARD_TIMEOUT_MS,
              DEFAULT_FORWARD_TIMEOUT_MS,
              "timeout of a request forwarded to the instance that owns a key")
          .positive();

  /** Every setting of the projections. */
  public static final List<Setting<?>> ALL =
      List.of(
          APPLICATION,
          ADVERTISED,
          LATENCY.commitInterval(),
          LATENCY.poll(),
          LATENCY.linger(),
          LATENCY.retryBackoff(),
          MEMORY.cache(),
          MEMORY.writeBuffer(),
          DELIVERIES_COALESCE,
          FORWARD_TIMEOUT);

  private ProjectionSettings() {}

  /** The application id: {@value #APPLICATION_ID}, or the topic prefix + {@code projections}. */
  public static String applicationId(final LedgerConfig config) {
    return config.get(APPLICATION);
  }

  /** {@code host:port} for Kafka Streams' {@code application.server}, when a URL is advertised. */
  public static Optional<String> applicationServer(final LedgerConfig config) {
    final String url = config.get(ADVERTISED).strip();
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
