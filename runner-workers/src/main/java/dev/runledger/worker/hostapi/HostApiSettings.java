package dev.runledger.worker.hostapi;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * @param internalToken the shared {@code auth.internal.token} view requests carry, when set
 */
public record HostApiSettings(
    URI viewsUrl,
    Duration viewsTimeout,
    int maxStateValueBytes,
    int maxStorageValueBytes,
    int maxReadBytes,
    long artifactCacheBytes,
    long maxCallsPerAttempt,
    Optional<String> internalToken) {

  /** Base URL of the projections' HTTP API (default {@code http://localhost:<http.port>}). */
  public static final String VIEWS_URL = LedgerConfig.VIEWS_URL;

  public static final String VIEWS_TIMEOUT_MS = "worker.views.timeout.ms";
  public static final String STATE_MAX_VALUE_BYTES = "worker.hostapi.state.max.value.bytes";
  public static final String STORAGE_MAX_VALUE_BYTES = "worker.hostapi.storage.max.value.bytes";
  public static final String MAX_READ_BYTES = "worker.hostapi.artifact.max.read.bytes";
  public static final String ARTIFACT_CACHE_BYTES = "worker.hostapi.artifact.cache.bytes";
  public static final String MAX_CALLS = "worker.hostapi.max.calls.per.attempt";

  /** The inline artifact limit of ARCHITECTURE.md §3: 1 MiB. */
  public static final int ONE_MIB = 1 << 20;

  public static final Setting<Duration> VIEWS_TIMEOUT =
      Setting.millisSetting(VIEWS_TIMEOUT_MS, 5000, "timeout of one view request").positive();
  public static final Setting<Integer> STATE_MAX_VALUE =
      Setting.intSetting(
              STATE_MAX_VALUE_BYTES, 65_536, "largest state value, in bytes of compact JSON")
          .positive();
  public static final Setting<Integer> STORAGE_MAX_VALUE =
      Setting.intSetting(
              STORAGE_MAX_VALUE_BYTES, 262_144, "largest storage value, in bytes of compact JSON")
          .positive();
  public static final Setting<Integer> MAX_READ =
      Setting.intSetting(
              MAX_READ_BYTES, ONE_MIB, "largest artifact_read_range length (at most 1 MiB)")
          .positive();
  public static final Setting<Long> ARTIFACT_CACHE =
      Setting.longSetting(
              ARTIFACT_CACHE_BYTES, 64L * ONE_MIB, "bytes of artifact content the worker caches")
          .positive();
  public static final Setting<Long> MAX_CALLS_PER_ATTEMPT =
      Setting.longSetting(MAX_CALLS, 10_000, "host-API calls one attempt may make").positive();

  /** Every setting of the host API ({@value #VIEWS_URL} is a shared one). */
  public static final List<Setting<?>> ALL =
      List.of(
          VIEWS_TIMEOUT,
          STATE_MAX_VALUE,
          STORAGE_MAX_VALUE,
          MAX_READ,
          ARTIFACT_CACHE,
          MAX_CALLS_PER_ATTEMPT);

  /** Defaults as if nothing was configured. */
  public static HostApiSettings defaults() {
    return from(LedgerConfig.of(Map.of()));
  }

  /** Reads and validates the settings. */
  public static HostApiSettings from(final LedgerConfig config) {
    final String url = config.get(CoreSettings.VIEWS_URL);
    final URI uri;
    try {
      uri = URI.create(url.strip().replaceAll("/+$", ""));
    } catch (final IllegalArgumentException e) {
      throw new ConfigException(VIEWS_URL, VIEWS_URL + " is not a URL: " + url);
    }
    return new HostApiSettings(
        uri,
        config.get(VIEWS_TIMEOUT),
        config.get(STATE_MAX_VALUE),
        config.get(STORAGE_MAX_VALUE),
        Math.min(ONE_MIB, config.get(MAX_READ)),
        config.get(ARTIFACT_CACHE),
        config.get(MAX_CALLS_PER_ATTEMPT),
        config.find(CoreSettings.AUTH_INTERNAL_TOKEN).filter(token -> !token.isBlank()));
  }
}
