package dev.runledger.gateway;

import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The gateway's own settings, read from {@link LedgerConfig} with the defaults of their {@link
 * Setting} definitions.
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

  public static final String MAX_BODY_BYTES = "gateway.max.body.bytes";
  static final Setting<Long> MAX_BODY =
      Setting.longSetting(MAX_BODY_BYTES, 1_048_576L, "largest POST /v1/events body (413 above)")
          .positive();

  public static final String MAX_TEXT_BYTES = "gateway.max.text.bytes";
  static final Setting<Long> MAX_TEXT =
      Setting.longSetting(MAX_TEXT_BYTES, 262_144L, "largest input.text, in UTF-8 bytes")
          .positive();

  public static final String MAX_BATCH_BYTES = "gateway.max.batch.bytes";
  static final Setting<Long> MAX_BATCH =
      Setting.longSetting(MAX_BATCH_BYTES, 8_388_608L, "largest POST /v1/events:batch body")
          .positive();

  public static final String MAX_BATCH_EVENTS = "gateway.max.batch.events";
  static final Setting<Integer> MAX_EVENTS =
      Setting.intSetting(MAX_BATCH_EVENTS, 500, "most events in one batch").positive();

  public static final String SEND_TIMEOUT_MS = "gateway.send.timeout.ms";
  static final Setting<Duration> SEND_TIMEOUT =
      Setting.millisSetting(
              SEND_TIMEOUT_MS, 30_000L, "how long a request waits for Kafka to take its records")
          .positive();

  public static final String BINDINGS_START_TIMEOUT_MS = "gateway.bindings.start.timeout.ms";
  static final Setting<Duration> BINDINGS_START_TIMEOUT =
      Setting.millisSetting(
              BINDINGS_START_TIMEOUT_MS,
              60_000L,
              "how long the gateway's start waits for the bindings cache to catch up")
          .positive();

  /**
   * The old key of the projections' HTTP API URL, which the cancel endpoints ask whether a run or
   * event exists: now {@value LedgerConfig#VIEWS_URL}, which this key is a deprecated alias of.
   */
  public static final String VIEWS_URL = LedgerConfig.DEPRECATED_GATEWAY_VIEWS_URL;

  /** Every setting of the gateway. */
  public static final List<Setting<?>> ALL =
      List.of(MAX_BODY, MAX_TEXT, MAX_BATCH, MAX_EVENTS, SEND_TIMEOUT, BINDINGS_START_TIMEOUT);

  /** The settings in this configuration, defaults for what it does not set. */
  public static GatewaySettings from(final LedgerConfig config) {
    return new GatewaySettings(
        config.get(MAX_BODY),
        config.get(MAX_TEXT),
        config.get(MAX_BATCH),
        config.get(MAX_EVENTS),
        config.get(SEND_TIMEOUT),
        config.get(BINDINGS_START_TIMEOUT));
  }

  /** Every default. */
  public static GatewaySettings defaults() {
    return from(LedgerConfig.of(Map.of()));
  }

  /**
   * {@value LedgerConfig#VIEWS_URL} (or {@value #VIEWS_URL}), or {@code
   * http://localhost:<http.port>}.
   */
  public static String viewsUrl(final LedgerConfig config) {
    return config.get(CoreSettings.VIEWS_URL);
  }
}
