package dev.runledger.schemas.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The latency settings of one Kafka Streams application ({@code <app>.commit.interval.ms}, {@code
 * <app>.poll.ms}, {@code <app>.producer.linger.ms}, {@code <app>.producer.retry.backoff.ms}), each
 * with the application's own default, and how they enter its Streams properties ({@link #apply}).
 * Why each matters under exactly-once:
 *
 * <ul>
 *   <li><b>Commit interval.</b> What a transaction wrote becomes visible to {@code read_committed}
 *       readers only when it commits, so a record waits half the interval on average. Shorter means
 *       more, smaller transactions, each with a marker on every partition it touched.
 *   <li><b>Poll time.</b> Kafka Streams checks whether a commit is due only between polls, and an
 *       idle poll blocks for {@code poll.ms}: a record processed just before the input went quiet
 *       waits that long for its commit. Kept at or below the commit interval where latency counts.
 *   <li><b>Producer linger.</b> Kafka Streams gives its producer {@code linger.ms=100}; a commit
 *       flushes whatever still lingers, so that much linger makes each commit send the whole
 *       interval's records at once and wait for them.
 *   <li><b>Producer retry backoff.</b> A transaction that starts right after a commit may find the
 *       coordinator still writing the last one's markers; its first writes are refused with {@code
 *       CONCURRENT_TRANSACTIONS} and retried after {@code retry.backoff.ms}, by default 100 ms,
 *       which short commit intervals hit often (the backoff still grows exponentially up to {@code
 *       retry.backoff.max.ms} while an error persists). The bench measured a light load's latency
 *       to the view halved by 10 ms.
 * </ul>
 *
 * A setting given explicitly wins; else a value the properties already have from a {@code streams.}
 * or {@code kafka.} key; else the setting's default.
 *
 * @param commitInterval {@code <app>.commit.interval.ms}
 * @param poll {@code <app>.poll.ms}
 * @param linger {@code <app>.producer.linger.ms}
 * @param retryBackoff {@code <app>.producer.retry.backoff.ms}
 */
public record StreamsLatency(
    Setting<Duration> commitInterval,
    Setting<Duration> poll,
    Setting<Duration> linger,
    Setting<Duration> retryBackoff) {

  /**
   * The settings of application {@code app} (the key prefix, e.g. {@code orchestrator}) with its
   * defaults in milliseconds.
   */
  public static StreamsLatency of(
      final String app,
      final long commitMs,
      final long pollMs,
      final long lingerMs,
      final long retryBackoffMs) {
    return new StreamsLatency(
        Setting.millisSetting(
                app + ".commit.interval.ms",
                commitMs,
                app
                    + " commit interval: under exactly-once what it writes is visible only once"
                    + " its transaction commits")
            .positive(),
        Setting.millisSetting(
                app + ".poll.ms",
                pollMs,
                "how long the "
                    + app
                    + " stream thread waits for input before it looks whether a commit is due"
                    + " (Kafka Streams' poll.ms)")
            .positive(),
        Setting.millisSetting(
                app + ".producer.linger.ms",
                lingerMs,
                "linger.ms of the "
                    + app
                    + " producer (Kafka Streams sets 100 ms, which each commit then waits out)")
            .atLeast(0),
        Setting.millisSetting(
                app + ".producer.retry.backoff.ms",
                retryBackoffMs,
                "first retry.backoff.ms of the "
                    + app
                    + " producer (Kafka's 100 ms stalls a transaction that starts while the"
                    + " previous one's markers are written)")
            .positive());
  }

  /** The four settings. */
  public List<Setting<?>> all() {
    return List.of(commitInterval, poll, linger, retryBackoff);
  }

  /** Puts the four into an application's Kafka Streams properties {@code props}. */
  public void apply(final LedgerConfig config, final Properties props) {
    final String commit = StreamsConfig.COMMIT_INTERVAL_MS_CONFIG;
    put(config, props, commitInterval, commit, commit);
    put(config, props, poll, StreamsConfig.POLL_MS_CONFIG, StreamsConfig.POLL_MS_CONFIG);
    final String lingerKey = StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG);
    put(config, props, linger, lingerKey, lingerKey, ProducerConfig.LINGER_MS_CONFIG);
    final String backoffKey = StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
    put(
        config,
        props,
        retryBackoff,
        backoffKey,
        backoffKey,
        ProducerConfig.RETRY_BACKOFF_MS_CONFIG);
  }

  private static void put(
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
}
