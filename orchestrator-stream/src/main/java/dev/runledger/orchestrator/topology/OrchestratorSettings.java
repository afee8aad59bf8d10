package dev.runledger.orchestrator.topology;

import dev.runledger.schemas.config.ConfigException;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.Setting;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

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
 *   <li>{@value #COMMIT_INTERVAL_MS}, {@value #POLL_MS}, {@value #LINGER_MS}, {@value
 *       #RETRY_BACKOFF_MS} — the latency settings of the orchestrator's Kafka Streams ({@link
 *       #tune}).
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

  /** Kafka Streams commit interval of the orchestrator, in milliseconds. */
  public static final String COMMIT_INTERVAL_MS = "orchestrator.commit.interval.ms";

  /** Default commit interval: 20 ms. */
  public static final long DEFAULT_COMMIT_INTERVAL_MS = 20;

  /** How long the orchestrator's stream thread blocks waiting for input, in milliseconds. */
  public static final String POLL_MS = "orchestrator.poll.ms";

  /** Default poll time: 5 ms. */
  public static final long DEFAULT_POLL_MS = 5;

  /** {@code linger.ms} of the orchestrator's producer. */
  public static final String LINGER_MS = "orchestrator.producer.linger.ms";

  /** Default producer linger: 5 ms. */
  public static final long DEFAULT_LINGER_MS = 5;

  /**
   * {@value #COMMIT_INTERVAL_MS}. Under exactly-once a run's {@code RunCreated} and {@code
   * StartRun} become visible to workers and projections only when the transaction commits, so a
   * record waits half the interval on average, and the interval is a floor of dispatch latency;
   * Kafka Streams' 100 ms alone would be most of the 100 ms p99 target. Shorter intervals mean
   * more, smaller transactions, each with a commit marker on every partition it touched; raise it
   * for throughput over latency.
   */
  public static final Setting<Duration> COMMIT_INTERVAL =
      Setting.millisSetting(
              COMMIT_INTERVAL_MS,
              DEFAULT_COMMIT_INTERVAL_MS,
              "orchestrator commit interval; under exactly-once a run is dispatched only when its"
                  + " transaction commits, so this bounds how soon it starts")
          .positive();

  /**
   * {@value #POLL_MS}. Kafka Streams checks whether a commit is due only between polls, and an idle
   * poll blocks for {@code poll.ms} (100 ms by default): a record processed just before the input
   * went quiet would wait that long for its commit. Kept at or below the commit interval.
   */
  public static final Setting<Duration> POLL =
      Setting.millisSetting(
              POLL_MS,
              DEFAULT_POLL_MS,
              "how long the orchestrator's stream thread waits for input before it looks whether a"
                  + " commit is due (Kafka Streams' poll.ms)")
          .positive();

  /**
   * {@value #LINGER_MS}. Kafka Streams gives its producer {@code linger.ms=100}; a commit flushes
   * whatever still lingers, so that much linger makes each commit send the whole interval's records
   * at once and wait for them. A short linger sends batches during the interval and keeps the
   * commit itself short.
   */
  public static final Setting<Duration> LINGER =
      Setting.millisSetting(
              LINGER_MS,
              DEFAULT_LINGER_MS,
              "linger.ms of the orchestrator's producer (Kafka Streams' default is 100 ms, which"
                  + " each commit then waits out)")
          .atLeast(0);

  /** {@code retry.backoff.ms} of the orchestrator's producer. */
  public static final String RETRY_BACKOFF_MS = "orchestrator.producer.retry.backoff.ms";

  /** Default producer retry backoff: 10 ms. */
  public static final long DEFAULT_RETRY_BACKOFF_MS = 10;

  /**
   * {@value #RETRY_BACKOFF_MS}. A transaction that starts right after a commit may find the
   * coordinator still writing the last one's markers; its first writes are then refused with {@code
   * CONCURRENT_TRANSACTIONS} and retried after {@code retry.backoff.ms}, by default 100 ms, which
   * short commit intervals hit often. The backoff still grows exponentially up to {@code
   * retry.backoff.max.ms} (1 s) while an error persists.
   */
  public static final Setting<Duration> RETRY_BACKOFF =
      Setting.millisSetting(
              RETRY_BACKOFF_MS,
              DEFAULT_RETRY_BACKOFF_MS,
              "first retry.backoff.ms of the orchestrator's producer (Kafka's 100 ms would stall a"
                  + " transaction that starts while the previous one's markers are being written)")
          .positive();

  /** Every setting of the orchestrator. */
  public static final List<Setting<?>> ALL =
      List.of(
          APPLICATION, DEDUPE_WINDOW, DEADLINE_CHECK, COMMIT_INTERVAL, POLL, LINGER, RETRY_BACKOFF);

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

  /**
   * Adds the latency settings to the orchestrator's Kafka Streams properties {@code props}: the
   * commit interval, the poll time and the producer's linger and retry backoff. A setting given
   * explicitly wins; else a value {@code props} already has from a {@code streams.} or {@code
   * kafka.} key; else the setting's default.
   */
  static void tune(final LedgerConfig config, final Properties props) {
    final String commit = StreamsConfig.COMMIT_INTERVAL_MS_CONFIG;
    tune(config, props, COMMIT_INTERVAL, commit, commit);
    tune(config, props, POLL, StreamsConfig.POLL_MS_CONFIG, StreamsConfig.POLL_MS_CONFIG);
    final String linger = StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG);
    tune(config, props, LINGER, linger, linger, ProducerConfig.LINGER_MS_CONFIG);
    final String backoff = StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
    tune(config, props, RETRY_BACKOFF, backoff, backoff, ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
  }

  private static void tune(
      final LedgerConfig config,
      final Properties props,
      final Setting<Duration> setting,
      final String key,
      final String... kafkaKeys) {
    if (config.asMap().containsKey(setting.key())
        || Arrays.stream(kafkaKeys).noneMatch(props::containsKey)) {
      props.put(key, config.get(setting).toMillis());
    }
  }

  /** The application id: {@value #APPLICATION_ID}, or the topic prefix + {@code orchestrator}. */
  public static String applicationId(final LedgerConfig config) {
    return config.get(APPLICATION);
  }
}
