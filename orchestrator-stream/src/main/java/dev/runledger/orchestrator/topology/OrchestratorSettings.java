package dev.runledger.orchestrator.topology;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import dev.runledger.schemas.config.StreamsLatency;
import dev.runledger.schemas.config.StreamsMemory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The orchestrator's own settings, read from {@link LedgerConfig}.
 *
 * <ul>
 *   <li>{@value #APPLICATION_ID} — Kafka Streams application id; default: the topic prefix + {@code
 *       orchestrator}.
 *   <li>{@value #DEDUPE_WINDOW_MS} — how long an {@code event_id} is remembered for duplicate
 *       detection, in ms; default {@value #DEFAULT_DEDUPE_WINDOW_MS} (7 days).
 *   <li>{@value #DEADLINE_CHECK_MS} — how often the orchestrator looks for runs past their
 *       deadline, in ms (wall clock); default {@value #DEFAULT_DEADLINE_CHECK_MS}.
 *   <li>{@link #LATENCY} — the latency settings of the orchestrator's Kafka Streams.
 *   <li>{@link #MEMORY} — the RocksDB memory budget of an instance.
 *   <li>{@code pools} (shared) — worker pools whose {@code run-commands.<pool>} topics exist; a
 *       runner whose manifest names another pool is rejected with {@code runner.pool_unknown}.
 * </ul>
 *
 * @param dedupeWindow how long an event id is remembered
 * @param pools worker pools the orchestrator may send commands to
 * @param deadlineCheckInterval how often passed deadlines are looked for
 */
public record OrchestratorSettings(
    Duration dedupeWindow, Set<String> pools, Duration deadlineCheckInterval) {
  /** Kafka Streams application id of the orchestrator. */
  public static final String APPLICATION_ID = "orchestrator.application.id";

  /** Dedupe window in milliseconds. */
  public static final String DEDUPE_WINDOW_MS = "orchestrator.dedupe.window.ms";

  /** Default dedupe window: 7 days. */
  public static final long DEFAULT_DEDUPE_WINDOW_MS = 7L * 24 * 60 * 60 * 1000;

  /** Interval of the deadline check in milliseconds. */
  public static final String DEADLINE_CHECK_MS = "orchestrator.deadline.check.ms";

  /** Default interval of the deadline check: 1 second. */
  public static final long DEFAULT_DEADLINE_CHECK_MS = 1000;

  /** Pool used when nothing else is configured. */
  public static final String DEFAULT_POOL = "default";

  /** {@value #APPLICATION_ID}. */
  public static final Setting<String> APPLICATION =
      Setting.stringSetting(
              APPLICATION_ID, null, "Kafka Streams application id of the orchestrator")
          .defaultFrom(
              "<topic.prefix>orchestrator",
              config -> config.topicSettings().prefix() + "orchestrator");

  /** {@value #DEDUPE_WINDOW_MS}. */
  public static final Setting<Duration> DEDUPE_WINDOW =
      Setting.millisSetting(
              DEDUPE_WINDOW_MS,
              DEFAULT_DEDUPE_WINDOW_MS,
              "how long an event_id is remembered for dedupe")
          .positive();

  /** {@value #DEADLINE_CHECK_MS}. */
  public static final Setting<Duration> DEADLINE_CHECK =
      Setting.millisSetting(
              DEADLINE_CHECK_MS,
              DEFAULT_DEADLINE_CHECK_MS,
              "how often the orchestrator looks for runs past their deadline")
          .positive();

  /**
   * The orchestrator's Kafka Streams latency settings ({@link StreamsLatency}): commit every 20 ms
   * (Streams' 100 ms alone would be most of the 100 ms p99 target, since a run is dispatched only
   * when its transaction commits), poll for 5 ms, producer linger 5 ms, first retry backoff 10 ms.
   */
  public static final StreamsLatency LATENCY = StreamsLatency.of("orchestrator", 20, 5, 5, 10);

  /**
   * RocksDB memory of an instance: {@code orchestrator.rocksdb.cache.bytes} 32 MiB, {@code
   * orchestrator.rocksdb.write.buffer.bytes} 16 MiB, shared by all its stores (without a budget
   * each of its dozens of stores had RocksDB's own block cache and memtables).
   */
  public static final StreamsMemory MEMORY =
      StreamsMemory.of("orchestrator", 32L * 1024 * 1024, 16L * 1024 * 1024);

  /** {@code orchestrator.commit.interval.ms}. */
  public static final String COMMIT_INTERVAL_MS = LATENCY.commitInterval().key();

  /** {@code orchestrator.poll.ms}. */
  public static final String POLL_MS = LATENCY.poll().key();

  /** {@code orchestrator.producer.linger.ms}. */
  public static final String LINGER_MS = LATENCY.linger().key();

  /** Every setting of the orchestrator. */
  public static final List<Setting<?>> ALL =
      Stream.of(
              List.<Setting<?>>of(APPLICATION, DEDUPE_WINDOW, DEADLINE_CHECK),
              LATENCY.all(),
              MEMORY.all())
          .flatMap(List::stream)
          .toList();

  public OrchestratorSettings {
    if (dedupeWindow.isNegative() || dedupeWindow.isZero()) {
      throw new ConfigException(
          DEDUPE_WINDOW_MS, DEDUPE_WINDOW_MS + " must be positive, got " + dedupeWindow.toMillis());
    }
    pools = Set.copyOf(pools);
    if (deadlineCheckInterval.isNegative() || deadlineCheckInterval.isZero()) {
      throw new ConfigException(
          DEADLINE_CHECK_MS,
          DEADLINE_CHECK_MS + " must be positive, got " + deadlineCheckInterval.toMillis());
    }
  }

  /** These settings with the default deadline check interval. */
  public OrchestratorSettings(final Duration dedupeWindow, final Set<String> pools) {
    this(dedupeWindow, pools, Duration.ofMillis(DEFAULT_DEADLINE_CHECK_MS));
  }

  /** The defaults: a 7-day dedupe window and the {@code default} pool only. */
  public static OrchestratorSettings defaults() {
    return from(LedgerConfig.of(Map.of()));
  }

  /** Settings from configuration, defaults filling the gaps. */
  public static OrchestratorSettings from(final LedgerConfig config) {
    final List<String> pools = config.pools();
    return new OrchestratorSettings(
        config.get(DEDUPE_WINDOW),
        pools.isEmpty() ? Set.of(DEFAULT_POOL) : Set.copyOf(pools),
        config.get(DEADLINE_CHECK));
  }

  /** The application id: {@value #APPLICATION_ID}, or the topic prefix + {@code orchestrator}. */
  public static String applicationId(final LedgerConfig config) {
    return config.get(APPLICATION);
  }
}
