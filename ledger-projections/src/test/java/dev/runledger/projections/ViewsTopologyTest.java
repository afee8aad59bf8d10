package dev.runledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.OutboundKind;
import dev.runledger.avro.OutboundMessage;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.StateUpdated;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.projections.query.LocalRunQueries;
import dev.runledger.projections.query.RunFilter;
import dev.runledger.projections.query.RunPage;
import dev.runledger.projections.query.ViewStores;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.serde.LedgerSerdes;
import dev.runledger.schemas.topics.LedgerTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transcript, state, index, deliveries and decisions on a TopologyTestDriver. */
class ViewsTopologyTest {
  @TempDir Path stateDir;

  private final LedgerSerdes serdes = LedgerSerdes.singleObject();
  private TopologyTestDriver driver;
  private TestInputTopic<String, LedgerRecord> ledger;
  private TestInputTopic<String, HostEvent> hosts;
  private TestInputTopic<String, DispatchDecision> decisions;
  private TestOutputTopic<String, OutboundMessage> deliveries;
  private LocalRunQueries queries;

  @BeforeEach
  void start() {
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                LedgerConfig.STATE_DIR, stateDir.toString(), LedgerConfig.TOPIC_PREFIX, "test."));
    final LedgerTopics topics = LedgerTopics.create(config.topicSettings(), serdes);
    driver =
        new TopologyTestDriver(
            ProjectionTopology.build(topics, serdes, Duration.ofSeconds(1)),
            ProjectionTopology.streamsConfig(config));
    ledger =
        driver.createInputTopic(
            topics.runLedger().name(),
            new StringSerializer(),
            topics.runLedger().valueSerde().serializer());
    hosts =
        driver.createInputTopic(
            topics.hostEvents().name(),
            new StringSerializer(),
            topics.hostEvents().valueSerde().serializer());
    decisions =
        driver.createInputTopic(
            topics.dispatchDecisions().name(),
            new StringSerializer(),
            topics.dispatchDecisions().valueSerde().serializer());
    deliveries =
        driver.createOutputTopic(
            topics.deliveries().name(),
            new StringDeserializer(),
            topics.deliveries().valueSerde().deserializer());
    queries =
        new LocalRunQueries(
            new ViewStores() {
              @Override
              public <V> ReadOnlyKeyValueStore<String, V> store(final String name) {
                return driver.getKeyValueStore(name);
              }
            });
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void shouldWriteUserAndAssistantMessagesButNotFencedOnesWhenTranscriptIsFolded() {
    // given
    final LedgerFixture run = new LedgerFixture("run-a");
    hosts.pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-1", "hello there"));
    ledger.pipeInput("run-a", run.created());
    ledger.pipeInput("run-a", run.claimed(1));
    ledger.pipeInput("run-a", run.claimed(2));

    // when
    ledger.pipeInput("run-a", run.message(1, "from the fenced attempt"));
    ledger.pipeInput("run-a", run.message(2, "hi, human"));

    // then
    final List<TranscriptItem> items = queries.transcript("conv-1", null, null, 10).items();
    assertThat(items).extracting(TranscriptItem::getRole).containsExactly("user", "assistant");
    assertThat(items)
        .extracting(TranscriptItem::getContent)
        .containsExactly("hello there", "hi, human");
    assertThat(items).extracting(TranscriptItem::getSeq).containsExactly(1L, 2L);
    assertThat(queries.search("conv-1", "HUMAN", 5))
        .extracting(TranscriptItem::getContent)
        .containsExactly("hi, human");
  }

  @Test
  void shouldVersionStateAndDeleteItWhenValueIsNull() {
    // given
    final LedgerFixture run = new LedgerFixture("run-s");
    ledger.pipeInput("run-s", run.created());
    ledger.pipeInput("run-s", run.claimed(1));

    // when
    ledger.pipeInput("run-s", run.result(1, "state.updated", state("mood", "\"good\"")));
    ledger.pipeInput("run-s", run.result(1, "state.updated", state("mood", "\"better\"")));
    ledger.pipeInput("run-s", run.result(1, "state.updated", state("gone", "1")));
    ledger.pipeInput("run-s", run.result(1, "state.updated", state("gone", null)));

    // then
    final StateEntry mood = queries.state("conversation", "conv-1", "mood").orElseThrow();
    assertThat(mood.getVersion()).isEqualTo(2);
    assertThat(mood.getValueJson()).isEqualTo("\"better\"");
    assertThat(mood.getRunId()).isEqualTo("run-s");
    assertThat(queries.state("conversation", "conv-1", "gone")).isEmpty();
    assertThat(queries.states("conversation", "conv-1", "")).hasSize(1);
  }

  @Test
  void shouldListRunsByStatusAndConversationWhenIndexed() {
    // given
    final LedgerFixture a = new LedgerFixture("run-a");
    final LedgerFixture b = new LedgerFixture("run-b");
    ledger.pipeInput("run-a", a.created());
    ledger.pipeInput("run-b", b.created());
    ledger.pipeInput("run-b", b.claimed(1));

    // when
    ledger.pipeInput("run-b", b.completed(1));

    // then
    final RunPage completed = queries.runs(new RunFilter(null, "completed", null), null, 10);
    assertThat(completed.items()).extracting(r -> r.getRunId()).containsExactly("run-b");
    final RunPage queued = queries.runs(new RunFilter(null, "queued", null), null, 10);
    assertThat(queued.items()).extracting(r -> r.getRunId()).containsExactly("run-a");
    final RunPage first = queries.runs(new RunFilter("conv-1", null, null), null, 1);
    assertThat(first.items()).hasSize(1);
    final RunPage second =
        queries.runs(new RunFilter("conv-1", null, null), first.nextPosition().orElseThrow(), 1);
    assertThat(second.items()).hasSize(1);
    assertThat(second.items().get(0).getRunId()).isNotEqualTo(first.items().get(0).getRunId());
    final KeyValueStore<String, String> index =
        driver.getKeyValueStore(ProjectionTopology.RUNS_INDEX_STORE);
    final List<String> keys = new ArrayList<>();
    index.all().forEachRemaining(kv -> keys.add(kv.key));
    assertThat(keys).filteredOn(k -> k.startsWith(ViewKeys.BY_STATUS)).hasSize(2);
  }

  @Test
  void shouldCoalesceDeltasAndSendCompletedMessageWhenDelivering() {
    // given
    final LedgerFixture run = new LedgerFixture("run-d");
    ledger.pipeInput("run-d", run.created());
    ledger.pipeInput("run-d", run.claimed(1));

    // when
    ledger.pipeInput("run-d", run.result(1, "message.delta", delta("Hel")));
    ledger.pipeInput("run-d", run.result(1, "message.delta", delta("lo")));
    driver.advanceWallClockTime(Duration.ofSeconds(2));
    ledger.pipeInput("run-d", run.message(1, "Hello!"));

    // then
    final List<OutboundMessage> sent = deliveries.readValuesToList();
    assertThat(sent)
        .extracting(OutboundMessage::getKind)
        .containsExactly(OutboundKind.DELTA, OutboundKind.COMPLETED);
    assertThat(sent.get(0).getMessage().getContent()).isEqualTo("Hello");
    assertThat(sent.get(0).getToSequence() - sent.get(0).getFromSequence()).isEqualTo(1);
    assertThat(sent.get(1).getMessage().getContent()).isEqualTo("Hello!");
    assertThat(sent.get(1).getConversationKey()).isEqualTo("ws-1/bot-1/conv-1/");
  }

  @Test
  void shouldKeepOriginalDecisionWhenDuplicateDecisionArrives() {
    // given
    decisions.pipeInput("e-1", decision(Decision.RUN_CREATED));

    // when
    decisions.pipeInput("e-1", decision(Decision.DUPLICATE));

    // then
    assertThat(queries.decision("e-1").orElseThrow().getDecision()).isEqualTo(Decision.RUN_CREATED);
  }

  private static DispatchDecision decision(final Decision decision) {
    return DispatchDecision.newBuilder()
        .setEventId("e-1")
        .setDecision(decision)
        .setRunId("run-1")
        .setDecidedAt(Instant.EPOCH)
        .build();
  }

  private static StateUpdated state(final String key, final String value) {
    return new StateUpdated("conversation", "conv-1", key, value);
  }

  private static MessageDelta delta(final String text) {
    return new MessageDelta(new ChatMessage("assistant", text));
  }

  private static HostEvent hostMessage(final String eventId, final String text) {
    final HostEvent.Builder event =
        HostEvent.newBuilder()
            .setEventId(eventId)
            .setEventType("message.received")
            .setEventTime(LedgerFixture.START)
            .setWorkspaceId("ws-1")
            .setConversationId("conv-1");
    event.setInput(dev.runledger.avro.EventInput.newBuilder().setText(text).build());
    return event.build();
  }
}
