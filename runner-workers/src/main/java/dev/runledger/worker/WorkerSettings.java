package dev.runledger.worker;

import dev.runledger.schemas.config.CoreSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
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
 * @param claimConsumers share consumers that claim commands at once
 * @param claimBatch commands one claim consumer takes per fetch, at most
 * @param claimHandover how long a claim consumer waits for its batch before another one claims
 * @param recordLocks the share group's limit of commands in flight per command-topic partition
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
    Duration deltaCoalesce,
    int claimConsumers,
    int claimBatch,
    Duration claimHandover,
    int recordLocks) {

  static final long DEFAULT_INACTIVITY_TIMEOUT_MS = 120_000;
  static final long DEFAULT_CANCEL_GRACE_MS = 10_000;
  static final int MAX_SLOTS = 10_000;

  /** Worker pool this worker serves (default {@code default}). */
  public static final String POOL = "worker.pool";

  public static final Setting<String> POOL_SETTING =
      Setting.stringSetting(POOL, "default", "pool the worker serves");

  /**
   * Runs a worker executes at once (default 128, at most 10000); it claims no more while full. A
   * blocking runner holds a run thread per run; an asynchronous one ({@code AsyncAgentRunner}, e.g.
   * the echo runner) holds none while it waits, so one worker holds thousands of waiting runs with
   * a fixed number of threads; a worker's throughput is at most slots ÷ (the time one run takes +
   * one fetch round trip), since a batch is acknowledged with the next fetch.
   */
  public static final String SLOTS = "worker.slots";

  public static final Setting<Integer> SLOTS_SETTING =
      Setting.intSetting(SLOTS, 128, "runs at once").between(1, MAX_SLOTS);

  /** Worker id (default {@code <host>-<pid>-<4 hex>}). */
  public static final String ID = "worker.id";

  public static final Setting<String> ID_SETTING =
      Setting.stringSetting(ID, "", "worker id in the ledger and heartbeats")
          .shownAs("<host>-<pid>-<4 hex>");

  /** Milliseconds between worker heartbeats on the {@code workers} topic (default 5000). */
  public static final String HEARTBEAT_MS = "worker.heartbeat.ms";

  public static final Setting<Duration> HEARTBEAT = CoreSettings.WORKER_HEARTBEAT;

  /** Share group id of the pool's workers (default {@code <topic.prefix>workers.<pool>}). */
  public static final String GROUP_ID = "worker.group.id";

  public static final Setting<String> GROUP_ID_SETTING =
      Setting.stringSetting(GROUP_ID, null, "share group id")
          .defaultFrom(
              "<topic.prefix>workers.<pool>",
              config ->
                  config.get(LedgerConfig.TOPIC_PREFIX) + "workers." + config.get(POOL_SETTING));

  /**
   * Whether the worker sets its share group's configs on start, {@code share.auto.offset.reset=
   * earliest}, {@code share.isolation.level=read_committed}, {@code
   * share.renew.acknowledge.enable=true} and {@code share.delivery.count.limit} (default true; turn
   * off when an operator manages them and the worker may not alter group configs).
   */
  public static final String CONFIGURE_GROUP = "worker.group.configure";

  public static final Setting<Boolean> CONFIGURE_GROUP_SETTING =
      Setting.boolSetting(
          CONFIGURE_GROUP, true, "whether the worker sets its share group's configs");

  /**
   * Milliseconds a closing worker lets running runs finish before it releases them to other workers
   * (default 10000).
   */
  public static final String SHUTDOWN_GRACE_MS = "worker.shutdown.grace.ms";

  public static final Setting<Duration> SHUTDOWN_GRACE =
      Setting.millisSetting(
              SHUTDOWN_GRACE_MS, 10_000, "how long a stopping worker lets runs finish")
          .atLeast(0);

  /**
   * Milliseconds a runner may show no activity (no result, steering pull, liveness report or
   * host-API call) before the run is failed {@code runner-stalled} (default 120000).
   */
  public static final String INACTIVITY_TIMEOUT_MS = "worker.inactivity.timeout.ms";

  public static final Setting<Duration> INACTIVITY_TIMEOUT =
      Setting.millisSetting(
              INACTIVITY_TIMEOUT_MS,
              DEFAULT_INACTIVITY_TIMEOUT_MS,
              "a runner that shows no activity this long fails runner-stalled")
          .atLeast(100);

  /**
   * Milliseconds a runner that ignores cancellation (or keeps running after its run ended) may keep
   * its thread; then the worker interrupts it again and frees the slot (default 10000). The run
   * itself ends {@code cancelled} at once.
   */
  public static final String CANCEL_GRACE_MS = "worker.cancel.grace.ms";

  public static final Setting<Duration> CANCEL_GRACE =
      Setting.millisSetting(
              CANCEL_GRACE_MS,
              DEFAULT_CANCEL_GRACE_MS,
              "how long a runner that ignores cancel keeps its slot")
          .atLeast(0);

  /** Runs whose run-control state (cancel, steering items) a worker remembers (default 100000). */
  public static final String CONTROL_MAX_RUNS = "worker.control.max.runs";

  public static final Setting<Integer> CONTROL_RUNS =
      Setting.intSetting(CONTROL_MAX_RUNS, 100_000, "runs whose run-control state is remembered")
          .positive();

  /** Steering items a worker remembers per run (default 1000). */
  public static final String CONTROL_MAX_STEERING = "worker.control.max.steering";

  public static final Setting<Integer> CONTROL_STEERING =
      Setting.intSetting(CONTROL_MAX_STEERING, 1000, "steering items remembered per run")
          .positive();

  /**
   * Deliveries of a run command before the worker that receives the last one fails the run {@code
   * poison} instead of running it; set on the share group ({@code share.delivery.count.limit}) when
   * {@code worker.group.configure} is on (default 10, broker range 2..10). Deliveries also count
   * commands a killed worker's consumers acquired but never ran, hence the high default.
   */
  public static final String DELIVERY_LIMIT = "worker.group.delivery.limit";

  public static final Setting<Integer> DELIVERY_LIMIT_SETTING =
      Setting.intSetting(
              DELIVERY_LIMIT, 10, "deliveries of one command before its run fails poison")
          .between(2, 10);

  /**
   * Milliseconds consecutive {@code message.delta} results of a run may be held to merge them into
   * one ledger record (default 50; 0 writes every delta as it comes).
   */
  public static final String DELTA_COALESCE_MS = "worker.delta.coalesce.ms";

  public static final Setting<Duration> DELTA_COALESCE =
      Setting.millisSetting(
              DELTA_COALESCE_MS, 50, "window in which consecutive message.delta chunks merge")
          .between(0, 10_000);

  /**
   * Share consumers that claim commands at once (default 4, at most {@code worker.slots}). Each one
   * fetches a batch, runs it and acknowledges it with its next fetch, one round trip per batch; a
   * few of them keep claiming while the others wait for their batches. More are opened while runs
   * outlive {@code worker.claim.handover.ms} (see {@code ShareGroupClaimer}).
   */
  public static final String CLAIM_CONSUMERS = "worker.claim.consumers";

  public static final Setting<Integer> CLAIM_CONSUMERS_SETTING =
      Setting.intSetting(CLAIM_CONSUMERS, 4, "share consumers that claim commands at once")
          .between(1, 64);

  /**
   * Commands one claim consumer takes per share fetch ({@code max.poll.records}, default 32). It is
   * capped at {@code worker.slots / worker.claim.consumers}: a consumer fetches only when that many
   * run threads are free, so a full worker claims nothing, and up to one batch less one of threads
   * may idle while long runs hold the others.
   */
  public static final String CLAIM_BATCH = "worker.claim.batch";

  public static final Setting<Integer> CLAIM_BATCH_SETTING =
      Setting.intSetting(CLAIM_BATCH, 32, "commands one claim consumer takes per fetch")
          .between(1, MAX_SLOTS);

  /**
   * Milliseconds a claim consumer waits for the runs of its batch to end before it hands claiming
   * over to another consumer and only keeps the leases of its runs (default 500). A share consumer
   * acquires nothing while it holds unacknowledged or renewed records, so a batch with one long run
   * would otherwise stop that consumer's claiming until the run ends.
   */
  public static final String CLAIM_HANDOVER_MS = "worker.claim.handover.ms";

  public static final Setting<Duration> CLAIM_HANDOVER =
      Setting.millisSetting(
              CLAIM_HANDOVER_MS,
              500,
              "how long a claim consumer waits for its batch before another one claims")
          .between(10, 60_000);

  /**
   * Commands of the pool that may be in flight (claimed and not yet acknowledged) per partition of
   * the command topic, across all the pool's workers: the share group's {@code
   * share.partition.max.record.locks}, which the worker sets (default 4000; the broker's own
   * default is 2000). The broker caps it at {@code group.share.max.partition.max.record.locks}
   * (default 4000): raise that on the broker, or give the command topic more partitions, for more
   * concurrent runs per pool.
   */
  public static final String RECORD_LOCKS = "worker.group.record.locks";

  public static final Setting<Integer> RECORD_LOCKS_SETTING =
      Setting.intSetting(RECORD_LOCKS, 4000, "commands in flight per command-topic partition")
          .between(100, 1_000_000);

  /** Every setting of the worker itself (the host API's and the runners' are apart). */
  public static final List<Setting<?>> ALL =
      List.of(
          POOL_SETTING,
          SLOTS_SETTING,
          ID_SETTING,
          HEARTBEAT,
          GROUP_ID_SETTING,
          CONFIGURE_GROUP_SETTING,
          SHUTDOWN_GRACE,
          INACTIVITY_TIMEOUT,
          CANCEL_GRACE,
          CONTROL_RUNS,
          CONTROL_STEERING,
          DELIVERY_LIMIT_SETTING,
          DELTA_COALESCE,
          CLAIM_CONSUMERS_SETTING,
          CLAIM_BATCH_SETTING,
          CLAIM_HANDOVER,
          RECORD_LOCKS_SETTING);

  public WorkerSettings {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(groupId, "groupId");
  }

  /** Reads and validates the settings. */
  public static WorkerSettings from(final LedgerConfig config) {
    final String workerId = config.get(ID_SETTING).strip();
    return new WorkerSettings(
        config.get(POOL_SETTING),
        config.get(SLOTS_SETTING),
        workerId.isEmpty() ? generatedWorkerId() : workerId,
        config.get(HEARTBEAT),
        config.get(GROUP_ID_SETTING),
        config.get(CONFIGURE_GROUP_SETTING),
        config.get(SHUTDOWN_GRACE),
        config.get(INACTIVITY_TIMEOUT),
        config.get(CANCEL_GRACE),
        config.get(CONTROL_RUNS),
        config.get(CONTROL_STEERING),
        config.get(DELIVERY_LIMIT_SETTING),
        config.get(DELTA_COALESCE),
        config.get(CLAIM_CONSUMERS_SETTING),
        config.get(CLAIM_BATCH_SETTING),
        config.get(CLAIM_HANDOVER),
        config.get(RECORD_LOCKS_SETTING));
  }

  /** Claim consumers that claim at once: {@code worker.claim.consumers}, at most the slots. */
  public int claimers() {
    return Math.min(claimConsumers, slots);
  }

  /**
   * Commands per fetch: {@code worker.claim.batch}, at most {@code slots / claimers()}, so every
   * claiming consumer can have a batch's threads free at once.
   */
  public int batchSize() {
    return Math.max(1, Math.min(claimBatch, slots / claimers()));
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
