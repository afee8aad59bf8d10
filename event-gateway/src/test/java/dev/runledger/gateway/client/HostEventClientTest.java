package dev.runledger.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostEventClientTest {
  private final LedgerTopics topics = LedgerTopics.create(LedgerConfig.of(Map.of()));
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final HostEventClient client = new HostEventClient(topics, producer);

  @AfterEach
  void close() {
    client.close();
  }

  private static HostEvent event(final String id, final String conversation) {
    return HostEvent.newBuilder()
        .setEventId(id)
        .setEventType("message.received")
        .setEventTime(Instant.ofEpochMilli(1_000))
        .setWorkspaceId("w")
        .setBotId("b")
        .setConversationId(conversation)
        .build();
  }

  private static AgentBinding binding(final String id) {
    return AgentBinding.newBuilder()
        .setBindingId(id)
        .setScope(BindingScope.newBuilder().setWorkspaceId("w").build())
        .setEventTypes(List.of("message.*"))
        .setRunnerId("builtin:echo/default")
        .build();
  }

  private HostEvent decodeEvent(final ProducerRecord<String, byte[]> record) {
    return topics
        .hostEvents()
        .valueSerde()
        .deserializer()
        .deserialize(record.topic(), record.value());
  }

  @Test
  void shouldKeyEventByConversationKeyWhenEventHasConversation() throws Exception {
    // given
    final HostEvent event = event("e1", "c1");

    // when
    final RecordMetadata written = client.send(event).get();

    // then
    final ProducerRecord<String, byte[]> record = producer.history().get(0);
    assertThat(record.topic()).isEqualTo(topics.hostEvents().name());
    assertThat(record.key()).isEqualTo("w/b/c1/");
    assertThat(decodeEvent(record)).isEqualTo(event);
    assertThat(written.topic()).isEqualTo(topics.hostEvents().name());
  }

  @Test
  void shouldKeyEventByWorkspaceAndEventIdWhenEventHasNoConversation() throws Exception {
    // when
    client.send(event("e2", null)).get();

    // then
    assertThat(producer.history().get(0).key()).isEqualTo("w/e2");
  }

  @Test
  void shouldWriteBindingByWorkspaceAndIdAndTombstoneWhenDeleted() throws Exception {
    // given
    final AgentBinding binding = binding("b1");

    // when
    client.putBinding(binding).get();
    client.deleteBinding("w", "b1").get();

    // then
    final List<ProducerRecord<String, byte[]>> history = producer.history();
    assertThat(history).extracting(ProducerRecord::topic).containsOnly(topics.bindings().name());
    assertThat(history).extracting(ProducerRecord::key).containsExactly("w/b1", "w/b1");
    assertThat(
            topics
                .bindings()
                .valueSerde()
                .deserializer()
                .deserialize(history.get(0).topic(), history.get(0).value()))
        .isEqualTo(binding);
    assertThat(history.get(1).value()).isNull();
  }

  @Test
  void shouldFailFutureWhenKafkaRefusesTheWrite() {
    // given
    final MockProducer<String, byte[]> manual =
        new MockProducer<>(false, null, new StringSerializer(), new ByteArraySerializer());
    try (HostEventClient manualClient = new HostEventClient(topics, manual)) {
      final CompletableFuture<RecordMetadata> written = manualClient.send(event("e3", "c"));

      // when
      manual.errorNext(new IllegalStateException("broker down"));

      // then
      assertThat(written).isCompletedExceptionally();
      assertThat(written.handle((ok, error) -> error.getMessage()).join()).contains("broker down");
    }
  }

  @Test
  void shouldFailFutureWhenClientIsClosed() {
    // given
    client.close();

    // when
    final CompletableFuture<RecordMetadata> written = client.send(event("e4", "c"));

    // then
    assertThat(written).isCompletedExceptionally();
  }

  @Test
  void shouldConfigureIdempotentProducerWithAcksAllWhenBuiltFromConfig() {
    // when
    final Properties props =
        HostEventClient.producerProperties(
            LedgerConfig.of(
                Map.of("bootstrap.servers", "h:1", "kafka.acks", "1", "kafka.linger.ms", "20")));

    // then
    assertThat(props)
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "20")
        .containsEntry(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(2_162_688))
        .containsEntry("bootstrap.servers", "h:1");
  }
}
