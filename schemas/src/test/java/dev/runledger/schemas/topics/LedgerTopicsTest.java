package dev.runledger.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.avro.ConversationRef;
import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.config.TopicSettings;
import dev.runledger.schemas.serde.LedgerSerdes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class LedgerTopicsTest {
  private final LedgerTopics topics =
      LedgerTopics.create(
          new TopicSettings("t1.", 6, 1, (short) 1, -1, 0, 65_536), LedgerSerdes.singleObject());

  @Test
  void shouldNameEveryTopicWithThePrefixAndItsCleanupPolicy() {
    final Map<String, String> policies =
        topics.all(List.of("default", "gpu")).stream()
            .collect(Collectors.toMap(Topic::name, t -> t.configs().get("cleanup.policy")));

    assertThat(policies)
        .containsEntry("t1.host-events", "delete")
        .containsEntry("t1.bindings", "compact")
        .containsEntry("t1.runners", "compact")
        .containsEntry("t1.workers", "compact")
        .containsEntry("t1.run-commands.default", "delete")
        .containsEntry("t1.run-commands.gpu", "delete")
        .containsEntry("t1.run-control", "delete")
        .containsEntry("t1.run-ledger", "delete")
        .containsEntry("t1.dispatch-decisions", "compact")
        .containsEntry("t1.deliveries", "delete")
        .containsEntry("t1.artifacts", "compact")
        .containsEntry("t1.dlq", "delete")
        .hasSize(12);
  }

  @Test
  void shouldCreateEveryTopicWithTheRecordLimitPlusFraming() {
    final int expected = 65_536 + TopicSettings.FRAMING_BYTES;

    assertThat(topics.all(List.of("default")))
        .allSatisfy(
            topic ->
                assertThat(topic.configs())
                    .containsEntry("max.message.bytes", Integer.toString(expected)));
  }

  @Test
  void shouldMeasureARecordAsItsKeyAndEncodedValue() {
    final HostEvent event =
        HostEvent.newBuilder()
            .setEventId("e1")
            .setEventType("message.received")
            .setEventTime(Instant.EPOCH)
            .setWorkspaceId("w")
            .build();
    final Topic<String, HostEvent> hostEvents = topics.hostEvents();
    final int valueBytes =
        hostEvents.valueSerde().serializer().serialize(hostEvents.name(), event).length;

    assertThat(hostEvents.encodedSize("key", event)).isEqualTo(3 + valueBytes);
    assertThat(hostEvents.encodedSize("key", null)).isEqualTo(3);
  }

  @Test
  void shouldRefuseARecordLimitOutsideItsRange() {
    assertThatThrownBy(() -> new TopicSettings("t1.", 6, 1, (short) 1, -1, 0, 1000))
        .hasMessageContaining("record.max.bytes must be between 16384 and");
  }

  @Test
  void shouldRejectAPoolNameThatCannotBeATopicSuffix() {
    assertThatThrownBy(() -> topics.runCommands("GPU pool"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldKeyEventsByConversationOrEventId() {
    final HostEvent inConversation =
        HostEvent.newBuilder()
            .setEventId("e1")
            .setEventType("message.received")
            .setEventTime(Instant.EPOCH)
            .setWorkspaceId("w")
            .setConversationId("c")
            .build();
    final HostEvent alone = HostEvent.newBuilder(inConversation).setConversationId(null).build();

    assertThat(ConversationKeys.ingestKey(inConversation)).isEqualTo("w//c/");
    assertThat(ConversationKeys.ingestKey(alone)).isEqualTo("w/e1");
  }

  @Test
  void shouldCreateCommandTopicsWithTheirOwnPartitionCount() {
    assertThat(topics.runCommands("default").partitions()).isEqualTo(1);
    assertThat(topics.runLedger().partitions()).isEqualTo(6);
  }

  @Test
  void shouldKeyARunConversationLikeItsEvents() {
    final ConversationRef ref = new ConversationRef("w", "b", "c", null);

    assertThat(ConversationKeys.conversationKey(ref)).isEqualTo("w/b/c/");
    assertThat(ConversationKeys.conversationKey((ConversationRef) null)).isNull();
  }

  @Test
  void shouldCreateEveryTopicWithTwoInSyncReplicasByDefault() {
    // given the default configuration: three replicas
    final LedgerConfig config = LedgerConfig.of(Map.of());

    // when
    final List<Topic<?, ?>> all = LedgerTopics.create(config).all(config.pools());

    // then
    assertThat(config.topicSettings().replication()).isEqualTo((short) 3);
    assertThat(all)
        .isNotEmpty()
        .allSatisfy(topic -> assertThat(topic.configs()).containsEntry("min.insync.replicas", "2"));
  }

  @Test
  void shouldLeaveMinInsyncUnsetWithOneReplica() {
    assertThat(topics.all(List.of("default")))
        .allSatisfy(topic -> assertThat(topic.configs()).doesNotContainKey("min.insync.replicas"));
  }
}
