package dev.runledger.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerConfigTest {

  @Test
  void shouldLayerDefaultsFileEnvironmentAndOverrides(@TempDir final Path dir) throws Exception {
    // given a YAML file, an environment and an override
    final Path file = dir.resolve("ledger.yaml");
    Files.writeString(
        file,
        "bootstrap:\n  servers: file:9092\ntopic:\n  prefix: acme.\n  partitions: 3\npools: [default, gpu]\n"
            + "kafka:\n  security.protocol: SASL_SSL\n");
    final Map<String, String> env =
        Map.of("RUNLEDGER_TOPIC_PARTITIONS", "12", "PATH", "/bin", "RUNLEDGER_HTTP_PORT", "9000");

    // when
    final LedgerConfig config = LedgerConfig.load(file, env, Map.of("http.port", "9100"));

    // then later layers win and untouched defaults remain
    assertThat(config.get(LedgerConfig.BOOTSTRAP_SERVERS)).isEqualTo("file:9092");
    assertThat(config.topicSettings().prefix()).isEqualTo("acme.");
    assertThat(config.topicSettings().partitions()).isEqualTo(12);
    assertThat(config.getInt(LedgerConfig.HTTP_PORT, 0)).isEqualTo(9100);
    assertThat(config.pools()).containsExactly("default", "gpu");
    assertThat(config.get(LedgerConfig.TOPIC_REPLICATION)).isEqualTo("3");
    assertThat(config.asMap()).doesNotContainKey("path");
  }

  @Test
  void shouldPassKafkaAndStreamsSettingsThrough() {
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                "bootstrap.servers", "b:1",
                "kafka.sasl.mechanism", "PLAIN",
                "streams.num.stream.threads", "2"));

    final Properties client = config.kafkaProperties();
    final Properties streams = config.streamsProperties("app");

    assertThat(client)
        .containsEntry("bootstrap.servers", "b:1")
        .containsEntry("sasl.mechanism", "PLAIN");
    assertThat(client).doesNotContainKey("num.stream.threads");
    assertThat(streams)
        .containsEntry("num.stream.threads", "2")
        .containsEntry("sasl.mechanism", "PLAIN")
        .containsEntry("application.id", "app");
  }

  @Test
  void shouldShortenTheRestoreConsumersEmptyFetchUnlessStreamsSettingsSetIt() {
    final String key = "restore.consumer.fetch.max.wait.ms";

    assertThat(LedgerConfig.of(Map.of()).streamsProperties("app")).containsEntry(key, "100");
    assertThat(
            LedgerConfig.of(Map.of("state.restore.fetch.wait.ms", "20")).streamsProperties("app"))
        .containsEntry(key, "20");
    assertThat(LedgerConfig.of(Map.of("streams." + key, "7")).streamsProperties("app"))
        .containsEntry(key, "7");
  }

  @Test
  void shouldGiveProducersAndStreamsTheRecordLimitPlusFraming() {
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                "record.max.bytes", "100000",
                "kafka.max.request.size", "5"));
    final String expected = Integer.toString(100_000 + TopicSettings.FRAMING_BYTES);

    assertThat(config.topicSettings().maxRecordBytes()).isEqualTo(100_000);
    assertThat(config.producerProperties()).containsEntry("max.request.size", expected);
    assertThat(config.streamsProperties("app"))
        .containsEntry("producer.max.request.size", expected)
        .containsEntry("topic.max.message.bytes", expected);
    assertThat(LedgerConfig.of(Map.of()).topicSettings().maxRecordBytes())
        .isEqualTo(2 * 1024 * 1024);
  }

  @Test
  void shouldNameARecordLimitBelowItsMinimum() {
    final LedgerConfig config = LedgerConfig.of(Map.of("record.max.bytes", "100"));

    assertThatThrownBy(config::topicSettings)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.key()).isEqualTo("record.max.bytes"))
        .hasMessageContaining("between 16384 and");
  }

  @Test
  void shouldReadAPropertiesFile(@TempDir final Path dir) throws Exception {
    final Path file = dir.resolve("ledger.properties");
    Files.writeString(file, "topic.prefix=p.\nworker.slots=4\n");

    final LedgerConfig config = LedgerConfig.load(file, Map.of(), Map.of());

    assertThat(config.topicSettings().prefix()).isEqualTo("p.");
    assertThat(config.getInt("worker.slots", 8)).isEqualTo(4);
  }

  @Test
  void shouldNameASettingThatIsNotANumber() {
    final LedgerConfig config = LedgerConfig.of(Map.of("topic.partitions", "many"));

    assertThatThrownBy(config::topicSettings)
        .isInstanceOfSatisfying(
            ConfigException.class, e -> assertThat(e.key()).isEqualTo("topic.partitions"));
  }

  @Test
  void shouldDefaultToThreeReplicasAndTwoInSyncForAProductionCluster() {
    // when
    final TopicSettings topics = LedgerConfig.of(Map.of()).topicSettings();

    // then
    assertThat(topics.replication()).isEqualTo((short) 3);
    assertThat(topics.minInsyncReplicas()).isEqualTo(2);
  }

  @Test
  void shouldLeaveMinInsyncToTheBrokerWithFewerThanThreeReplicas() {
    // when
    final TopicSettings topics =
        LedgerConfig.of(Map.of(LedgerConfig.TOPIC_REPLICATION, "1")).topicSettings();

    // then
    assertThat(topics.replication()).isEqualTo((short) 1);
    assertThat(topics.minInsyncReplicas()).isZero();
  }

  @Test
  void shouldLetTheFileWinOverModeDefaults(@TempDir final Path dir) throws Exception {
    // given a mode that defaults to one replica, and a file that asks for two
    final Path file = dir.resolve("ledger.properties");
    Files.writeString(file, "topic.replication=2\n");
    final Map<String, String> single = Map.of(LedgerConfig.TOPIC_REPLICATION, "1");

    // when
    final LedgerConfig withFile = LedgerConfig.load(single, file, Map.of(), Map.of());
    final LedgerConfig withoutFile = LedgerConfig.load(single, null, Map.of(), Map.of());

    // then
    assertThat(withFile.topicSettings().replication()).isEqualTo((short) 2);
    assertThat(withoutFile.topicSettings().replication()).isEqualTo((short) 1);
  }

  @Test
  void shouldRefuseMoreInSyncReplicasThanReplicas() {
    // given
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                LedgerConfig.TOPIC_REPLICATION, "1", LedgerConfig.TOPIC_MIN_INSYNC_REPLICAS, "2"));

    // then
    assertThatThrownBy(config::topicSettings)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "topic.min.insync.replicas (2) must not exceed topic.replication (1)");
  }
}
