package dev.runledger.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
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
import dev.runledger.projections.query.StatePage;
import dev.runledger.projections.query.TranscriptPage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transcript, state, index, deliveries and decisions on a TopologyTestDriver. */
class ViewsTopologyTest {
  private static final String WS = LedgerFixture.WS;

  @TempDir Path stateDir;

  private ProjectionDriver driver;
  private LocalRunQueries queries;

  @BeforeEach
  void start() {
    driver = new ProjectionDriver(stateDir, Duration.ofSeconds(1));
    queries = driver.queries();
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void shouldWriteUserAndAssistantMessagesButNotFencedOnesWhenTranscriptIsFolded() {
    // given
    final LedgerFixture run = new LedgerFixture("run-a");
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-1", "hello there"));
    driver.ledger().pipeInput("run-a", run.created());
    driver.ledger().pipeInput("run-a", run.claimed(1));
    driver.ledger().pipeInput("run-a", run.claimed(2));

    // when
    driver.ledger().pipeInput("run-a", run.message(1, "from the fenced attempt"));
    driver.ledger().pipeInput("run-a", run.message(2, "hi, human"));

    // then
    final List<TranscriptItem> items = queries.transcript(WS, "conv-1", null, null, 10).items();
    assertThat(items).extracting(TranscriptItem::getRole).containsExactly("user", "assistant");
    assertThat(items)
        .extracting(TranscriptItem::getContent)
        .containsExactly("hello there", "hi, human");
    assertThat(items).extracting(TranscriptItem::getSeq).containsExactly(1L, 2L);
    assertThat(queries.search(WS, "conv-1", "HUMAN", 5))
        .extracting(TranscriptItem::getContent)
        .containsExactly("hi, human");
  }

  @Test
  void shouldKeepTheEndAsNextPositionWhenATailReadsPastTheEnd() {
    // given two items
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-1", "one"));
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-2", "two"));

    // when read after the last one, and after a seq that does not exist yet
    final TranscriptPage atEnd = queries.transcript(WS, "conv-1", null, 2L, 10);
    final TranscriptPage pastEnd = queries.transcript(WS, "conv-1", null, 40L, 10);
    final TranscriptPage empty = queries.transcript(WS, "conv-none", null, 5L, 10);

    // then each is empty and names the last seq, from which the next item is read
    assertThat(atEnd.items()).isEmpty();
    assertThat(atEnd.end()).hasValue(2L);
    assertThat(pastEnd.end()).hasValue(2L);
    assertThat(empty.end()).hasValue(0L);
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-3", "three"));
    final TranscriptPage next =
        queries.transcript(WS, "conv-1", null, pastEnd.end().getAsLong(), 10);
    assertThat(next.items()).extracting(TranscriptItem::getContent).containsExactly("three");
    assertThat(next.end()).isEmpty();
  }

  @Test
  void shouldLeaveTranscriptUnchangedWhenHostEventIsSentAgain() {
    // given
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-1", "hello"));
    driver.decisions().pipeInput(WS + "/e-1", decision(Decision.RUN_CREATED));
    final List<TranscriptItem> before = queries.transcript(WS, "conv-1", null, null, 10).items();

    // when the same event comes again, with the same text, then with another one, its
    // duplicate decision arriving before one copy and after the other
    driver.decisions().pipeInput(WS + "/e-1", decision(Decision.DUPLICATE));
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-1", "hello"));
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-1", "never processed"));
    driver.decisions().pipeInput(WS + "/e-1", decision(Decision.DUPLICATE));

    // then
    assertThat(queries.transcript(WS, "conv-1", null, null, 10).items()).isEqualTo(before);
    assertThat(before).extracting(TranscriptItem::getContent).containsExactly("hello");

    // and the next event is numbered right after it
    driver.hosts().pipeInput("ws-1/bot-1/conv-1/", hostMessage("e-2", "next"));
    assertThat(queries.transcript(WS, "conv-1", null, null, 10).items())
        .extracting(TranscriptItem::getSeq, TranscriptItem::getContent)
        .containsExactly(tuple(1L, "hello"), tuple(2L, "next"));
  }

  @Test
  void shouldVersionStateAndDeleteItWhenValueIsNull() {
    // given
    final LedgerFixture run = new LedgerFixture("run-s");
    driver.ledger().pipeInput("run-s", run.created());
    driver.ledger().pipeInput("run-s", run.claimed(1));

    // when
    driver.ledger().pipeInput("run-s", run.result(1, "state.updated", state("mood", "\"good\"")));
    driver.ledger().pipeInput("run-s", run.result(1, "state.updated", state("mood", "\"better\"")));
    driver.ledger().pipeInput("run-s", run.result(1, "state.updated", state("gone", "1")));
    driver.ledger().pipeInput("run-s", run.result(1, "state.updated", state("gone", null)));

    // then
    final StateEntry mood = queries.state(WS, "conversation", "conv-1", "mood").orElseThrow();
    assertThat(mood.getVersion()).isEqualTo(2);
    assertThat(mood.getValueJson()).isEqualTo("\"better\"");
    assertThat(mood.getRunId()).isEqualTo("run-s");
    assertThat(queries.state(WS, "conversation", "conv-1", "gone")).isEmpty();
    assertThat(queries.states(WS, "conversation", "conv-1", "", null, 100).items()).hasSize(1);
  }

  @Test
  void shouldPageStateByKeyAndSkipScopeIdsItOnlyPrefixes() {
    // given five keys of conv-1, and one of a scope id conv-1 prefixes (its keys interleave)
    final LedgerFixture run = new LedgerFixture("run-s");
    driver.ledger().pipeInput("run-s", run.created());
    driver.ledger().pipeInput("run-s", run.claimed(1));
    for (final String key : List.of("k1", "k2", "k3", "k4", "k5")) {
      driver.ledger().pipeInput("run-s", run.result(1, "state.updated", state(key, "1")));
    }
    driver
        .ledger()
        .pipeInput(
            "run-s",
            run.result(1, "state.updated", new StateUpdated("conversation", "conv-1/a", "k", "2")));

    // when paging two at a time
    final List<String> keys = new ArrayList<>();
    final List<Boolean> more = new ArrayList<>();
    String after = null;
    do {
      final StatePage page = queries.states(WS, "conversation", "conv-1", "", after, 2);
      page.items().forEach(e -> keys.add(e.getKey()));
      after = page.nextAfter().orElse(null);
      more.add(after != null);
    } while (after != null);

    // then
    assertThat(keys).containsExactly("k1", "k2", "k3", "k4", "k5");
    assertThat(more).containsExactly(true, true, false);
    assertThat(queries.states(WS, "conversation", "conv-1", "k", "k4", 10).items())
        .extracting(StateEntry::getKey)
        .containsExactly("k5");
    assertThat(queries.states(WS, "conversation", "conv-1/a", null, null, 10).items())
        .extracting(StateEntry::getKey)
        .containsExactly("k");
  }

  @Test
  void shouldListRunsByStatusAndConversationWhenIndexed() {
    // given
    final LedgerFixture a = new LedgerFixture("run-a");
    final LedgerFixture b = new LedgerFixture("run-b");
    driver.ledger().pipeInput("run-a", a.created());
    driver.ledger().pipeInput("run-b", b.created());
    driver.ledger().pipeInput("run-b", b.claimed(1));

    // when
    driver.ledger().pipeInput("run-b", b.completed(1));

    // then
    final RunPage completed = queries.runs(WS, new RunFilter(null, "completed", null), null, 10);
    assertThat(completed.items()).extracting(r -> r.getRunId()).containsExactly("run-b");
    final RunPage queued = queries.runs(WS, new RunFilter(null, "queued", null), null, 10);
    assertThat(queued.items()).extracting(r -> r.getRunId()).containsExactly("run-a");
    final RunPage first = queries.runs(WS, new RunFilter("conv-1", null, null), null, 1);
    assertThat(first.items()).hasSize(1);
    final RunPage second =
        queries.runs(
            WS, new RunFilter("conv-1", null, null), first.nextPosition().orElseThrow(), 1);
    assertThat(second.items()).hasSize(1);
    assertThat(second.items().get(0).getRunId()).isNotEqualTo(first.items().get(0).getRunId());
    final KeyValueStore<String, String> index = driver.store(ProjectionTopology.RUNS_INDEX_STORE);
    final List<String> keys = new ArrayList<>();
    index.all().forEachRemaining(kv -> keys.add(kv.key));
    assertThat(keys).filteredOn(k -> k.startsWith(ViewKeys.BY_STATUS)).hasSize(2);
  }

  @Test
  void shouldRebuildTheIndexFromTheRunsAloneWhenItHoldsStaleOrMissingKeys() {
    // given two runs, indexed as they were folded
    final LedgerFixture a = new LedgerFixture("run-a");
    final LedgerFixture b = new LedgerFixture("run-b");
    driver.ledger().pipeInput("run-a", a.created());
    driver.ledger().pipeInput("run-b", b.created());
    driver.ledger().pipeInput("run-b", b.claimed(1));
    driver.ledger().pipeInput("run-b", b.completed(1));
    final KeyValueStore<String, String> index = driver.store(ProjectionTopology.RUNS_INDEX_STORE);
    final Map<String, String> folded = entries(index);

    // when the unlogged index lost a key and holds more stale ones than one clearing batch
    index.delete(folded.keySet().iterator().next());
    for (int i = 0; i < 25_000; i++) {
      index.put(ViewKeys.index(ViewKeys.BY_STATUS, WS) + "running/" + ViewKeys.padded(i), "gone");
    }
    final long indexed =
        RunsIndexRebuild.rebuild(driver.store(ProjectionTopology.RUNS_STORE), index);

    // then it is what the fold wrote, and nothing else
    assertThat(indexed).isEqualTo(2);
    assertThat(entries(index)).isEqualTo(folded);
    assertThat(folded).hasSize(6);
  }

  private static Map<String, String> entries(final KeyValueStore<String, String> store) {
    final Map<String, String> all = new TreeMap<>();
    try (var it = store.all()) {
      it.forEachRemaining(kv -> all.put(kv.key, kv.value));
    }
    return all;
  }

  @Test
  void shouldKeepTwoWorkspacesApartWhenTheyShareConversationAndScopeIds() {
    // given two workspaces with a conversation conv-1 each, and a run in each
    driver.hosts().pipeInput("acme/bot-1/conv-1/", hostMessage("acme", "e-1", "acme secret plan"));
    driver.hosts().pipeInput("evil/bot-1/conv-1/", hostMessage("evil", "e-1", "evil hello"));
    final LedgerFixture acme = new LedgerFixture("run-acme", "acme");
    final LedgerFixture evil = new LedgerFixture("run-evil", "evil");
    for (final LedgerFixture run : List.of(acme, evil)) {
      driver.ledger().pipeInput(run.runId(), run.created());
      driver.ledger().pipeInput(run.runId(), run.claimed(1));
    }

    // when both write the same state key in the same scope ids, and acme's run answers
    driver.ledger().pipeInput("run-acme", acme.result(1, "state.updated", state("k", "\"a\"")));
    driver.ledger().pipeInput("run-evil", evil.result(1, "state.updated", state("k", "\"e\"")));
    driver.ledger().pipeInput("run-acme", acme.message(1, "acme answer"));

    // then each workspace has its own transcript, numbered from 1
    assertThat(queries.transcript("acme", "conv-1", null, null, 10).items())
        .extracting(TranscriptItem::getSeq, TranscriptItem::getContent)
        .containsExactly(tuple(1L, "acme secret plan"), tuple(2L, "acme answer"));
    assertThat(queries.transcript("evil", "conv-1", null, null, 10).items())
        .extracting(TranscriptItem::getSeq, TranscriptItem::getContent)
        .containsExactly(tuple(1L, "evil hello"));
    assertThat(queries.search("evil", "conv-1", "secret", 5)).isEmpty();
    // its own state entry, each written once
    assertThat(queries.state("acme", "conversation", "conv-1", "k").orElseThrow())
        .extracting(StateEntry::getValueJson, StateEntry::getVersion, StateEntry::getWorkspaceId)
        .containsExactly("\"a\"", 1L, "acme");
    assertThat(queries.states("evil", "conversation", "conv-1", null, null, 100).items())
        .extracting(StateEntry::getValueJson)
        .containsExactly("\"e\"");
    // and lists only its own runs, by time, by conversation and by status
    for (final RunFilter filter :
        List.of(
            new RunFilter(null, null, null),
            new RunFilter("conv-1", null, null),
            new RunFilter(null, "running", null))) {
      assertThat(queries.runs("evil", filter, null, 10).items())
          .as("%s", filter)
          .extracting(r -> r.getRunId())
          .containsExactly("run-evil");
    }
    assertThat(queries.runs("other", new RunFilter(null, null, null), null, 10).items()).isEmpty();
  }

  @Test
  void shouldCoalesceDeltasAndSendCompletedMessageWhenDelivering() {
    // given
    final LedgerFixture run = new LedgerFixture("run-d");
    driver.ledger().pipeInput("run-d", run.created());
    driver.ledger().pipeInput("run-d", run.claimed(1));

    // when
    driver.ledger().pipeInput("run-d", run.result(1, "message.delta", delta("Hel")));
    driver.ledger().pipeInput("run-d", run.result(1, "message.delta", delta("lo")));
    driver.driver().advanceWallClockTime(Duration.ofSeconds(2));
    driver.ledger().pipeInput("run-d", run.message(1, "Hello!"));

    // then
    final List<OutboundMessage> sent = driver.deliveries().readValuesToList();
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
    driver.decisions().pipeInput(WS + "/e-1", decision(Decision.RUN_CREATED));

    // when
    driver.decisions().pipeInput(WS + "/e-1", decision(Decision.DUPLICATE));

    // then
    assertThat(queries.decision(WS, "e-1").orElseThrow().getDecision())
        .isEqualTo(Decision.RUN_CREATED);
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
    return hostMessage(WS, eventId, text);
  }

  private static HostEvent hostMessage(
      final String workspace, final String eventId, final String text) {
    final HostEvent.Builder event =
        HostEvent.newBuilder()
            .setEventId(eventId)
            .setEventType("message.received")
            .setEventTime(LedgerFixture.START)
            .setWorkspaceId(workspace)
            .setConversationId("conv-1");
    event.setInput(dev.runledger.avro.EventInput.newBuilder().setText(text).build());
    return event.build();
  }
}
