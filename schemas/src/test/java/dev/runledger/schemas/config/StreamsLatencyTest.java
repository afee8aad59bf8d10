package dev.runledger.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamsLatencyTest {
  private final StreamsLatency latency = StreamsLatency.of("app", 20, 5, 5, 10);

  @Test
  void shouldNameEachSettingAfterItsApplication() {
    assertThat(latency.all())
        .extracting(Setting::key)
        .containsExactly(
            "app.commit.interval.ms",
            "app.poll.ms",
            "app.producer.linger.ms",
            "app.producer.retry.backoff.ms");
  }

  @Test
  void shouldPutTheDefaultsWhenNothingElseSetsThem() {
    final Properties props = new Properties();
    latency.apply(LedgerConfig.of(Map.of()), props);
    assertThat(props)
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 20L)
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, 5L)
        .containsEntry("producer.linger.ms", 5L)
        .containsEntry("producer.retry.backoff.ms", 10L);
  }

  @Test
  void shouldKeepAStreamsKeyUnlessTheSettingIsGivenExplicitly() {
    final Properties props = new Properties();
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250");
    props.put("linger.ms", "50");
    latency.apply(LedgerConfig.of(Map.of("app.producer.retry.backoff.ms", "30")), props);
    assertThat(props)
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "250")
        .containsEntry("linger.ms", "50")
        .doesNotContainKey("producer.linger.ms")
        .containsEntry("producer.retry.backoff.ms", 30L);
  }
}
