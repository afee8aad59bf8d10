package dev.runledger.deploy.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.runledger.schemas.config.LedgerConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-timeout}: how long a command that produces to Kafka waits for the broker. Before
 * producing, the command asks the cluster to describe itself within that time, so a broker that is
 * down reads "cannot reach the Kafka broker at …" in seconds instead of a minute of retries ending
 * in "Topic … not present in metadata"; the Kafka client's reconnect warnings are silenced while
 * the command runs.
 */
final class KafkaTimeout {
  @Option(
      names = "--kafka-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5s",
      description =
          "How long to wait for the Kafka broker (to answer, and for a topic's metadata), e.g."
              + " 5s, 1m (default ${DEFAULT-VALUE}).")
  Duration timeout;

  /** The settings override that bounds the producer's wait for metadata by the timeout. */
  Map<String, String> producerOverrides() {
    return Map.of(
        "kafka." + ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout.toMillis()));
  }

  /**
   * Runs {@code work} once a broker of {@code settings} answered, with the Kafka client's network
   * warnings silenced.
   *
   * @throws IllegalStateException naming the bootstrap servers when none answered in time
   */
  <T> T whenReachable(final LedgerConfig settings, final Callable<T> work) throws Exception {
    final Logger network = (Logger) LoggerFactory.getLogger(NetworkClient.class);
    final Level level = network.getLevel();
    network.setLevel(Level.ERROR);
    try {
      awaitBroker(settings);
      return work.call();
    } finally {
      network.setLevel(level);
    }
  }

  private void awaitBroker(final LedgerConfig settings) throws InterruptedException {
    final String servers = settings.get(LedgerConfig.BOOTSTRAP_SERVERS);
    final Properties props = settings.kafkaProperties();
    props.remove(ProducerConfig.MAX_BLOCK_MS_CONFIG);
    final int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    final Admin admin;
    try {
      admin = Admin.create(props);
    } catch (final KafkaException e) { // e.g. no resolvable bootstrap address
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw unreachable(servers, ApiClient.reason(root), e);
    }
    try {
      admin
          .describeCluster(new DescribeClusterOptions().timeoutMs(millis))
          .clusterId()
          .get(millis + 1_000L, TimeUnit.MILLISECONDS);
    } catch (final TimeoutException e) {
      throw unreachable(servers, null, e);
    } catch (final ExecutionException e) {
      throw unreachable(
          servers,
          e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException
              ? null
              : ApiClient.reason(e.getCause()),
          e);
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  private IllegalStateException unreachable(
      final String servers, final String reason, final Exception cause) {
    return new IllegalStateException(
        "cannot reach the Kafka broker at "
            + servers
            + (reason == null ? " within " + DurationConverter.text(timeout) : ": " + reason)
            + " (is it running? --bootstrap-servers, --kafka-timeout)",
        cause);
  }
}
