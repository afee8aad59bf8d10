package dev.runledger.gateway;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import java.time.Duration;

/**
 * The gateway's own settings, read from {@link LedgerConfig} with defaults.
 *
 * @param maxBodyBytes largest request body of a single event or binding, in bytes
 * @param maxTextBytes largest {@code input.text} of an event, in UTF-8 bytes
 * @param maxBatchBytes largest request body of {@code POST /v1/events:batch}, in bytes
 * @param maxBatchEvents largest number of events in one batch
 * @param sendTimeout how long a request waits for Kafka to acknowledge its records
 * @param bindingsStartTimeout how long {@code start()} waits for the bindings cache to catch up
 */
public record GatewaySettings(
    long maxBodyBytes,
    long maxTextBytes,
    long maxBatchBytes,
    int maxBatchEvents,
    Duration sendTimeout,
    Duration bindingsStartTimeout) {

  /** Largest request body of one event or binding in bytes; default 1048576 (1 MiB). */
  public static final String MAX_BODY_BYTES = "gateway.max.body.bytes";

  /** Largest {@code input.text} of an event in UTF-8 bytes; default 262144 (256 KiB). */
  public static final String MAX_TEXT_BYTES = "gateway.max.text.bytes";

  /** Largest body of {@code POST /v1/events:batch} in bytes; default 8388608 (8 MiB). */
  public static final String MAX_BATCH_BYTES = "gateway.max.batch.bytes";

  /** Largest number of events in one {@code POST /v1/events:batch}; default 500. */
  public static final String MAX_BATCH_EVENTS = "gateway.max.batch.events";

  /**
   * Milliseconds a request waits for Kafka to acknowledge its records (else 503); default 30000.
   */
  public static final String SEND_TIMEOUT_MS = "gateway.send.timeout.ms";

  /** Milliseconds the gateway's start waits for the bindings cache to catch up; default 60000. */
  public static final String BINDINGS_START_TIMEOUT_MS = "gateway.bindings.start.timeout.ms";

  /**
   * Base URL of the projections' HTTP API, asked by the cancel endpoints whether a run or event
   * exists; default {@code http://localhost:<http.port>} (the dev stack points it at its own
   * server).
   */
  public static final String VIEWS_URL = "gateway.views.url";

  static final long DEFAULT_MAX_BODY_BYTES = 1_048_576L;
  static final long DEFAULT_MAX_TEXT_BYTES = 262_144L;
  static final long DEFAULT_MAX_BATCH_BYTES = 8_388_608L;
  static final int DEFAULT_MAX_BATCH_EVENTS = 500;
  static final long DEFAULT_SEND_TIMEOUT_MS = 30_000L;
  static final long DEFAULT_BINDINGS_START_TIMEOUT_MS = 60_000L;

  public GatewaySettings {
    requirePositive(MAX_BODY_BYTES, maxBodyBytes);
    requirePositive(MAX_TEXT_BYTES, maxTextBytes);
    requirePositive(MAX_BATCH_BYTES, maxBatchBytes);
    requirePositive(MAX_BATCH_EVENTS, maxBatchEvents);
    requirePositive(SEND_TIMEOUT_MS, sendTimeout.toMillis());
    requirePositive(BINDINGS_START_TIMEOUT_MS, bindingsStartTimeout.toMillis());
  }

  /** The settings in this configuration, defaults for what it does not set. */
  public static GatewaySettings from(final LedgerConfig config) {
    return new GatewaySettings(
        config.getLong(MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES),
        config.getLong(MAX_TEXT_BYTES, DEFAULT_MAX_TEXT_BYTES),
        config.getLong(MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_BYTES),
        config.getInt(MAX_BATCH_EVENTS, DEFAULT_MAX_BATCH_EVENTS),
        Duration.ofMillis(config.getLong(SEND_TIMEOUT_MS, DEFAULT_SEND_TIMEOUT_MS)),
        Duration.ofMillis(
            config.getLong(BINDINGS_START_TIMEOUT_MS, DEFAULT_BINDINGS_START_TIMEOUT_MS)));
  }

  /** Every default. */
  public static GatewaySettings defaults() {
    return new GatewaySettings(
        DEFAULT_MAX_BODY_BYTES,
        DEFAULT_MAX_TEXT_BYTES,
        DEFAULT_MAX_BATCH_BYTES,
        DEFAULT_MAX_BATCH_EVENTS,
        Duration.ofMillis(DEFAULT_SEND_TIMEOUT_MS),
        Duration.ofMillis(DEFAULT_BINDINGS_START_TIMEOUT_MS));
  }

  private static void requirePositive(final String key, final long value) {
    if (value <= 0) {
      throw new ConfigException(key, "setting '" + key + "' must be > 0, got " + value);
    }
  }

  /** {@value #VIEWS_URL}, or {@code http://localhost:<http.port>}. */
  public static String viewsUrl(final LedgerConfig config) {
    return config.get(
        VIEWS_URL, "http://localhost:" + config.get(LedgerConfig.HTTP_PORT, "8080").strip());
  }
}
