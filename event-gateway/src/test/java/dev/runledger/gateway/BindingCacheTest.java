package dev.runledger.gateway;

import static dev.runledger.gateway.BindingTableTest.binding;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runledger.avro.AgentBinding;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.CompactedTopicReader;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BindingCacheTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final LedgerTopics topics = Fixtures.topics();
  private final String topic = topics.bindings().name();
  private final TopicPartition p0 = new TopicPartition(topic, 0);
  private final TopicPartition p1 = new TopicPartition(topic, 1);
  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final BindingCache cache = new BindingCache(topics, consumer);

  @AfterEach
  void close() {
    cache.close();
  }

  private void topicExists(final long endP0, final long endP1) {
    consumer.updatePartitions(
        topic,
        List.of(
            new PartitionInfo(topic, 0, null, null, null),
            new PartitionInfo(topic, 1, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(p0, 0L, p1, 0L));
    consumer.updateEndOffsets(Map.of(p0, endP0, p1, endP1));
  }

  private byte[] encode(final AgentBinding binding) {
    return topics.bindings().valueSerde().serializer().serialize(topic, binding);
  }

  private ConsumerRecord<String, byte[]> record(
      final TopicPartition partition, final long offset, final String key, final byte[] value) {
    return new ConsumerRecord<>(topic, partition.partition(), offset, key, value);
  }

  private void addOnceAssigned(final ConsumerRecord<String, byte[]> record) {
    await().atMost(WAIT).until(() -> !consumer.assignment().isEmpty());
    consumer.addRecord(record);
  }

  @Test
  void shouldReadEveryPartitionFromTheBeginningWhenStarted() throws Exception {
    // given two bindings already on the topic
    topicExists(1, 1);
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(p0, 0, "w/a", encode(binding("a", 1))));
          consumer.addRecord(record(p1, 0, "w/b", encode(binding("b", 2))));
        });

    // when
    cache.start();

    // then
    assertThat(cache.awaitCaughtUp(WAIT)).isTrue();
    assertThat(cache.table().list("w"))
        .extracting(AgentBinding::getBindingId)
        .containsExactly("a", "b");
    assertThat(consumer.assignment()).containsExactlyInAnyOrder(p0, p1);
    assertThat(cache.healthy()).isTrue();
  }

  @Test
  void shouldCatchUpAtOnceWhenTopicIsEmpty() throws Exception {
    // given
    topicExists(0, 0);

    // when
    cache.start();

    // then
    assertThat(cache.awaitCaughtUp(WAIT)).isTrue();
    assertThat(cache.table().list("w")).isEmpty();
  }

  @Test
  void shouldApplyNewRecordsAndTombstonesWhenTheyArriveLater() throws Exception {
    // given
    topicExists(0, 0);
    cache.start();
    assertThat(cache.awaitCaughtUp(WAIT)).isTrue();

    // when
    addOnceAssigned(record(p0, 0, "w/a", encode(binding("a", 1))));
    addOnceAssigned(record(p1, 0, "w/b", encode(binding("b", 1))));
    addOnceAssigned(record(p0, 1, "w/a", null));

    // then
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(cache.table().list("w"))
                    .extracting(AgentBinding::getBindingId)
                    .containsExactly("b"));
  }

  @Test
  void shouldSkipRecordAndKeepReadingWhenARecordCannotBeDecoded() throws Exception {
    // given garbage, a record without key, then a valid binding
    topicExists(3, 0);
    consumer.schedulePollTask(
        () -> {
          consumer.addRecord(record(p0, 0, "w/bad", new byte[] {1, 2, 3}));
          consumer.addRecord(record(p0, 1, null, encode(binding("x", 1))));
          consumer.addRecord(record(p0, 2, "w/good", encode(binding("good", 1))));
        });

    // when
    cache.start();

    // then
    assertThat(cache.awaitCaughtUp(WAIT)).isTrue();
    assertThat(cache.table().list("w"))
        .extracting(AgentBinding::getBindingId)
        .containsExactly("good");
    assertThat(cache.skippedRecords()).isEqualTo(2);
    assertThat(cache.healthy()).isTrue();
  }

  @Test
  void shouldWaitForTheTopicWhenItDoesNotExistYet() throws Exception {
    // given
    cache.start();
    assertThat(cache.awaitCaughtUp(Duration.ofMillis(300))).isFalse();
    assertThat(cache.healthy()).isFalse();

    // when
    topicExists(0, 0);

    // then
    assertThat(cache.awaitCaughtUp(WAIT)).isTrue();
    assertThat(consumer.assignment()).containsExactlyInAnyOrder(p0, p1);
  }

  @Test
  void shouldBecomeUnhealthyWhenTheConsumerFails() throws Exception {
    // given
    topicExists(0, 0);
    cache.start();
    assertThat(cache.awaitCaughtUp(WAIT)).isTrue();

    // when
    consumer.setPollException(new KafkaException("authorization failed"));

    // then
    await().atMost(WAIT).until(() -> !cache.healthy());
    await().atMost(WAIT).until(consumer::closed);
  }

  @Test
  void shouldCloseTheConsumerWhenClosed() throws Exception {
    // given
    topicExists(0, 0);
    cache.start();
    assertThat(cache.awaitCaughtUp(WAIT)).isTrue();

    // when
    cache.close();

    // then
    assertThat(consumer.closed()).isTrue();
    assertThat(cache.healthy()).isFalse();
  }

  @Test
  void shouldCloseTheConsumerWhenClosedBeforeStart() {
    // when
    cache.close();

    // then
    assertThat(consumer.closed()).isTrue();
  }

  @Test
  void shouldReadWithoutGroupOrCommitsWhenBuiltFromConfig() {
    // when
    final Properties props =
        CompactedTopicReader.consumerProperties(
            LedgerConfig.of(Map.of("kafka.group.id", "g", "kafka.security.protocol", "SSL")));

    // then
    assertThat(props).doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
    assertThat(props)
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .containsEntry(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false")
        .containsEntry("security.protocol", "SSL");
  }
}
