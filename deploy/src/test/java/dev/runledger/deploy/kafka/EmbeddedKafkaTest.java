package dev.runledger.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.FeatureMetadata;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KafkaExtension.class)
class EmbeddedKafkaTest {

  @Test
  void shouldServeProduceAndConsumeWhenStarted(final EmbeddedKafka kafka) throws Exception {
    // given
    final String topic = "embedded-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }

    // when
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(kafka))) {
      producer.send(new ProducerRecord<>(topic, "k", "hello")).get();
    }

    // then
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(kafka))) {
      consumer.subscribe(List.of(topic));
      final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      ConsumerRecord<String, String> received = null;
      while (received == null && System.nanoTime() < deadline) {
        final ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        if (!records.isEmpty()) {
          received = records.iterator().next();
        }
      }
      assertThat(received).isNotNull();
      assertThat(received.key()).isEqualTo("k");
      assertThat(received.value()).isEqualTo("hello");
    }
  }

  @Test
  void shouldEnableShareGroupsWhenFormattedWithDefaultFeatures(final EmbeddedKafka kafka)
      throws Exception {
    // when
    final FeatureMetadata features;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      features = admin.describeFeatures().featureMetadata().get();
    }

    // then
    assertThat(features.finalizedFeatures()).containsKey("share.version");
    assertThat(features.finalizedFeatures().get("share.version").maxVersionLevel())
        .isGreaterThanOrEqualTo((short) 1);
  }

  @Test
  void shouldLeaveNoProcessBehindWhenClosed() {
    // given
    final EmbeddedKafka kafka = EmbeddedKafka.inTempDir().start();
    final ProcessHandle broker = kafka.processHandle();
    final List<ProcessHandle> children = broker.descendants().toList();
    assertThat(broker.isAlive()).isTrue();

    // when
    kafka.close();

    // then
    assertThat(broker.isAlive()).isFalse();
    assertThat(children).noneMatch(ProcessHandle::isAlive);
    assertThat(Files.exists(kafka.dataDir())).isFalse();
  }

  @Test
  void shouldKeepDataAndRestartWhenDataDirIsReused(@TempDir final Path dir) throws Exception {
    // given
    final String topic = "kept-" + UUID.randomUUID();
    try (EmbeddedKafka first = EmbeddedKafka.inDir(dir, 0).start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", first.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }

    // when
    try (EmbeddedKafka second = EmbeddedKafka.inDir(dir, 0).start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", second.bootstrapServers()))) {

      // then
      assertThat(admin.listTopics().names().get()).contains(topic);
    }
  }

  @Test
  void shouldNameTheLogFileWhenTheBrokerCannotStart(@TempDir final Path dir) throws Exception {
    // given a data dir whose log directory is a plain file, which the broker cannot use
    Files.writeString(dir.resolve("kafka-logs"), "not a directory");

    // when / then
    try (EmbeddedKafka kafka = EmbeddedKafka.inDir(dir, 0)) {
      assertThatThrownBy(kafka::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(dir.resolve(EmbeddedKafka.LOG_FILE).toString());
    }
  }

  private static Properties producerProps(final EmbeddedKafka kafka) {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return props;
  }

  private static Properties consumerProps(final EmbeddedKafka kafka) {
    final Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "embedded-test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    return props;
  }
}
