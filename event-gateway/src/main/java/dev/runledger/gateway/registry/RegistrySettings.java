package dev.runledger.gateway.registry;

import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The worker registry's settings ({@code GET /v1/runners}, {@code GET /v1/workers}), read from
 * {@link LedgerConfig} with the defaults of their {@link Setting} definitions.
 *
 * @param heartbeat the workers' heartbeat interval ({@code worker.heartbeat.ms}): a worker is live
 *     while its last heartbeat is at most {@value #LIVE_HEARTBEATS} intervals old
 * @param goneRetention how long a worker stays listed (as not live) after its last heartbeat
 * @param maxWorkers most workers kept; past it the one seen longest ago is dropped
 * @param maxRunners most runner manifests kept; past it the one read first is dropped
 */
public record RegistrySettings(
    Duration heartbeat, Duration goneRetention, int maxWorkers, int maxRunners) {

  /** How many heartbeat intervals a worker may stay silent and still be live. */
  public static final int LIVE_HEARTBEATS = 3;

  public static final String GONE_RETENTION_MS = "registry.gone.retention.ms";
  static final Setting<Duration> GONE_RETENTION =
      Setting.millisSetting(
              GONE_RETENTION_MS,
              600_000L,
              "how long GET /v1/workers keeps listing a gone worker after its last heartbeat")
          .positive();

  public static final String MAX_WORKERS = "registry.max.workers";
  static final Setting<Integer> MAX_WORKERS_SETTING =
      Setting.intSetting(MAX_WORKERS, 10_000, "most workers the registry keeps").positive();

  public static final String MAX_RUNNERS = "registry.max.runners";
  static final Setting<Integer> MAX_RUNNERS_SETTING =
      Setting.intSetting(MAX_RUNNERS, 10_000, "most runner manifests the registry keeps")
          .positive();

  /** Every setting of the registry ({@code worker.heartbeat.ms} is the worker's). */
  public static final List<Setting<?>> ALL =
      List.of(GONE_RETENTION, MAX_WORKERS_SETTING, MAX_RUNNERS_SETTING);

  /** The settings in this configuration, defaults for what it does not set. */
  public static RegistrySettings from(final LedgerConfig config) {
    return new RegistrySettings(
        config.get(CoreSettings.WORKER_HEARTBEAT),
        config.get(GONE_RETENTION),
        config.get(MAX_WORKERS_SETTING),
        config.get(MAX_RUNNERS_SETTING));
  }

  /** Every default. */
  public static RegistrySettings defaults() {
    return from(LedgerConfig.of(Map.of()));
  }

  /** How old a worker's last heartbeat may be for it to count as live. */
  public Duration liveWindow() {
    return heartbeat.multipliedBy(LIVE_HEARTBEATS);
  }
}
