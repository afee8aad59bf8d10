package dev.runledger.worker;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The worker's settings, read from {@link LedgerConfig}.
 *
 * @param pool the pool served; commands are read from {@code run-commands.<pool>}
 * @param slots runs executed at once
 * @param workerId this process's id in heartbeats, {@code RunClaimed.worker_id} and {@code
 *     producer}
 * @param heartbeat interval between heartbeats on the {@code workers} topic
 * @param groupId the share group of the pool's workers
 * @param configureGroup whether the worker sets the share group's configs on start
 * @param shutdownGrace how long a closing worker lets running runs finish before releasing them
 * @param inactivityTimeout how long a runner may show no activity before it is failed {@code
 *     runner-stalled}
 * @param cancelGrace how long a runner that ignores cancellation keeps its thread and slot after
 *     its run ended
 * @param controlMaxRuns runs whose run-control state (cancel, steering) the worker remembers
 * @param controlMaxSteering steering items remembered per run
 * @param deliveryLimit the share group's delivery count limit the worker sets
 * @param deltaCoalesce how long consecutive deltas may be held to merge them into one record
 */
public record WorkerSettings(
    String pool,
    int slots,
    String workerId,
    Duration heartbeat,
    String groupId,
    boolean configureGroup,
    Duration shutdownGrace,
    Duration inactivityTimeout,
    Duration cancelGrace,
    int controlMaxRuns,
    int controlMaxSteering,
    int deliveryLimit,
    Duration deltaCoalesce) {

  /** Worker pool this worker serves (default {@code default}). */
  public static final String POOL = "worker.pool";

  /** Runs a worker executes at once (default 8); it claims no more while full. */
  public static final String SLOTS = "worker.slots";

  /** Worker id (default {@code <host>-<pid>-<4 hex>}). */
  public static final String ID = "worker.id";

  /** Milliseconds between worker heartbeats on the {@code workers} topic (default 5000). */
  public static final String HEARTBEAT_MS = "worker.heartbeat.ms";

  /** Share group id of the pool's workers (default {@code <topic.prefix>workers.<pool>}). */
  public static final String GROUP_ID = "worker.group.id";

  /**
   * Whether the worker sets its share group's configs on start, {@code share.auto.offset.reset=
   * earliest}, {@code share.isolation.level=read_committed}, {@code
   * share.renew.acknowledge.enable=true} and {@code share.delivery.count.limit} (default true; turn
   * off when an operator manages them and the worker may not alter group configs).
   */
  public static final String CONFIGURE_GROUP = "worker.group.configure";

  /**
   * Milliseconds a closing worker lets running runs finish before it releases them to other workers
   * (default 10000).
   */
  public static final String SHUTDOWN_GRACE_MS = "worker.shutdown.grace.ms";

  /**
   * Milliseconds a runner may show no activity (no result, steering pull, liveness report or
   * host-API call) before the run is failed {@code runner-stalled} (default 120000).
   */
  public static final String INACTIVITY_TIMEOUT_MS = "worker.inactivity.timeout.ms";

  /**
   * Milliseconds a runner that ignores cancellation (or keeps running after its run ended) may keep
   * its thread; then the worker interrupts it again and frees the slot (default 10000). The run
   * itself ends {@code cancelled} at once.
   */
  public static final String CANCEL_GRACE_MS = "worker.cancel.grace.ms";

  /** Runs whose run-control state (cancel, steering items) a worker remembers (default 100000). */
  public static final String CONTROL_MAX_RUNS = "worker.control.max.runs";

  /** Steering items a worker remembers per run (default 1000). */
  public static final String CONTROL_MAX_STEERING = "worker.control.max.steering";

  /**
   * Deliveries of a run command before the worker that receives the last one fails the run {@code
   * poison} instead of running it; set on the share group ({@code share.delivery.count.limit}) when
   * {@code worker.group.configure} is on (default 10, broker range 2..10). Deliveries also count
   * commands a killed worker's consumers acquired but never ran, hence the high default.
   */
  public static final String DELIVERY_LIMIT = "worker.group.delivery.limit";

  /**
   * Milliseconds consecutive {@code message.delta} results of a run may be held to merge them into
   * one ledger record (default 50; 0 writes every delta as it comes).
   */
  public static final String DELTA_COALESCE_MS = "worker.delta.coalesce.ms";

  static final long DEFAULT_INACTIVITY_TIMEOUT_MS = 120_000;
  static final long DEFAULT_CANCEL_GRACE_MS = 10_000;
  static final int MAX_SLOTS = 256;

  public WorkerSettings {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(groupId, "groupId");
  }

  /** Reads and validates the settings. */
  public static WorkerSettings from(final LedgerConfig config) {
    final String pool = config.get(POOL, "default");
    final int slots = config.getInt(SLOTS, 8);
    if (slots < 1 || slots > MAX_SLOTS) {
      throw new ConfigException(
          SLOTS, SLOTS + " must be between 1 and " + MAX_SLOTS + ", got " + slots);
    }
    final long heartbeatMs = config.getLong(HEARTBEAT_MS, 5000);
    if (heartbeatMs < 100) {
      throw new ConfigException(HEARTBEAT_MS, HEARTBEAT_MS + " must be >= 100, got " + heartbeatMs);
    }
    final long graceMs = config.getLong(SHUTDOWN_GRACE_MS, 10_000);
    if (graceMs < 0) {
      throw new ConfigException(
          SHUTDOWN_GRACE_MS, SHUTDOWN_GRACE_MS + " must be >= 0, got " + graceMs);
    }
    final long inactivityMs = config.getLong(INACTIVITY_TIMEOUT_MS, DEFAULT_INACTIVITY_TIMEOUT_MS);
    if (inactivityMs < 100) {
      throw new ConfigException(
          INACTIVITY_TIMEOUT_MS, INACTIVITY_TIMEOUT_MS + " must be >= 100, got " + inactivityMs);
    }
    final long cancelGraceMs = config.getLong(CANCEL_GRACE_MS, DEFAULT_CANCEL_GRACE_MS);
    if (cancelGraceMs < 0) {
      throw new ConfigException(
          CANCEL_GRACE_MS, CANCEL_GRACE_MS + " must be >= 0, got " + cancelGraceMs);
    }
    final int maxRuns = config.getInt(CONTROL_MAX_RUNS, 100_000);
    final int maxSteering = config.getInt(CONTROL_MAX_STEERING, 1000);
    if (maxRuns < 1 || maxSteering < 1) {
      throw new ConfigException(
          CONTROL_MAX_RUNS, CONTROL_MAX_RUNS + " and " + CONTROL_MAX_STEERING + " must be >= 1");
    }
    final int deliveryLimit = config.getInt(DELIVERY_LIMIT, 10);
    if (deliveryLimit < 2 || deliveryLimit > 10) {
      throw new ConfigException(
          DELIVERY_LIMIT, DELIVERY_LIMIT + " must be between 2 and 10, got " + deliveryLimit);
    }
    final long coalesceMs = config.getLong(DELTA_COALESCE_MS, 50);
    if (coalesceMs < 0 || coalesceMs > 10_000) {
      throw new ConfigException(
          DELTA_COALESCE_MS, DELTA_COALESCE_MS + " must be between 0 and 10000, got " + coalesceMs);
    }
    final String workerId = config.get(ID, "").strip();
    return new WorkerSettings(
        pool,
        slots,
        workerId.isEmpty() ? generatedWorkerId() : workerId,
        Duration.ofMillis(heartbeatMs),
        config.get(GROUP_ID, config.get(LedgerConfig.TOPIC_PREFIX) + "workers." + pool),
        Boolean.parseBoolean(config.get(CONFIGURE_GROUP, "true").strip()),
        Duration.ofMillis(graceMs),
        Duration.ofMillis(inactivityMs),
        Duration.ofMillis(cancelGraceMs),
        maxRuns,
        maxSteering,
        deliveryLimit,
        Duration.ofMillis(coalesceMs));
  }

  /** {@code <host>-<pid>-<4 hex>}: unique per process, readable in logs. */
  static String generatedWorkerId() {
    final long pid = ProcessHandle.current().pid();
    final String random =
        String.format(Locale.ROOT, "%04x", ThreadLocalRandom.current().nextInt(1 << 16));
    return host() + "-" + pid + "-" + random;
  }

  private static String host() {
    final String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.strip();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (final UnknownHostException e) {
      return ManagementFactory.getRuntimeMXBean().getName().replaceAll("^\\d+@", "");
    }
  }
}
