package dev.runledger.worker.hostapi;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import java.net.URI;
import java.time.Duration;

/**
 * Settings of the host API, read from {@link LedgerConfig}.
 *
 * @param viewsUrl base URL of the projections' HTTP API (transcripts, events, state)
 * @param viewsTimeout timeout of one view request
 * @param maxStateValueBytes largest {@code state_set} value, as compact JSON bytes
 * @param maxStorageValueBytes largest {@code storage_set} value, as compact JSON bytes
 * @param maxReadBytes largest {@code artifact_read_range} length
 * @param artifactCacheBytes bytes of artifacts the worker keeps in memory
 * @param maxCallsPerAttempt host-API calls one attempt may make before {@code rate_limited}
 */
public record HostApiSettings(
    URI viewsUrl,
    Duration viewsTimeout,
    int maxStateValueBytes,
    int maxStorageValueBytes,
    int maxReadBytes,
    long artifactCacheBytes,
    long maxCallsPerAttempt) {

  /** Base URL of the projections' HTTP API (default {@code http://localhost:<http.port>}). */
  public static final String VIEWS_URL = "worker.views.url";

  /** Milliseconds one view request may take (default 5000). */
  public static final String VIEWS_TIMEOUT_MS = "worker.views.timeout.ms";

  /** Largest state value in bytes of compact JSON (default 65536). */
  public static final String STATE_MAX_VALUE_BYTES = "worker.hostapi.state.max.value.bytes";

  /** Largest storage value in bytes of compact JSON (default 262144). */
  public static final String STORAGE_MAX_VALUE_BYTES = "worker.hostapi.storage.max.value.bytes";

  /** Largest {@code artifact_read_range} length in bytes (default 1048576, the inline limit). */
  public static final String MAX_READ_BYTES = "worker.hostapi.artifact.max.read.bytes";

  /** Bytes of artifact content the worker caches from the artifacts topic (default 67108864). */
  public static final String ARTIFACT_CACHE_BYTES = "worker.hostapi.artifact.cache.bytes";

  /** Host-API calls one attempt may make; more are refused {@code rate_limited} (default 10000). */
  public static final String MAX_CALLS = "worker.hostapi.max.calls.per.attempt";

  /** The inline artifact limit of SPEC §4: 1 MiB. */
  public static final int ONE_MIB = 1 << 20;

  /** Defaults as if nothing was configured. */
  public static HostApiSettings defaults() {
    return from(LedgerConfig.of(java.util.Map.of()));
  }

  /** Reads and validates the settings. */
  public static HostApiSettings from(final LedgerConfig config) {
    final String url =
        config.get(VIEWS_URL, "http://localhost:" + config.get(LedgerConfig.HTTP_PORT, "8080"));
    final URI uri;
    try {
      uri = URI.create(url.strip().replaceAll("/+$", ""));
    } catch (final IllegalArgumentException e) {
      throw new ConfigException(VIEWS_URL, VIEWS_URL + " is not a URL: " + url);
    }
    return new HostApiSettings(
        uri,
        Duration.ofMillis(positive(config, VIEWS_TIMEOUT_MS, 5000)),
        (int) positive(config, STATE_MAX_VALUE_BYTES, 65_536),
        (int) positive(config, STORAGE_MAX_VALUE_BYTES, 262_144),
        (int) Math.min(ONE_MIB, positive(config, MAX_READ_BYTES, ONE_MIB)),
        positive(config, ARTIFACT_CACHE_BYTES, 64L * ONE_MIB),
        positive(config, MAX_CALLS, 10_000));
  }

  private static long positive(final LedgerConfig config, final String key, final long fallback) {
    final long value = config.getLong(key, fallback);
    if (value < 1) {
      throw new ConfigException(key, key + " must be >= 1, got " + value);
    }
    return value;
  }
}
