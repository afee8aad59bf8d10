package dev.runledger.projections.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.StateUpdated;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.LedgerFixture;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The envelope around the folds, over views in memory. */
class ProjectorTest {
  private final MemoryViews views = new MemoryViews();
  private final Projector projector = new Projector(views);
  private final LedgerFixture run = new LedgerFixture("run-a");

  @Test
  void shouldKeepRunEventsAndIndexInStepWhenRecordsAreFolded() {
    // when
    projector.ledger("run-a", run.created(), 0);
    projector.ledger("run-a", run.claimed(1), 1);

    // then: one run, two events, and the index names its current status only
    assertThat(views.runs().entries()).containsOnlyKeys("run-a");
    assertThat(views.runEvents().entries())
        .containsOnlyKeys(RunEventKeys.key("run-a", 1), RunEventKeys.key("run-a", 2));
    assertThat(views.runsIndex().entries().keySet())
        .containsExactlyInAnyOrderElementsOf(ViewKeys.indexKeys(views.runs().get("run-a")))
        .noneMatch(k -> k.startsWith(ViewKeys.BY_STATUS + "created/"));
  }

  @Test
  void shouldLeaveRecordOutWhenKeyIsNotItsRunId() {
    // when
    final var projected = projector.ledger("run-z", run.created(), 0);

    // then
    assertThat(projected).isEmpty();
    assertThat(views.runs().entries()).isEmpty();
  }

  @Test
  void shouldPassOnMessageStateAndDeliveryOnlyWhenApplied() {
    // given
    projector.ledger("run-a", run.created(), 0);
    projector.ledger("run-a", run.claimed(1), 1);

    // when
    final Projection message = projector.ledger("run-a", run.message(1, "hi"), 2).orElseThrow();
    final Projection state =
        projector
            .ledger(
                "run-a",
                run.result(1, "state.updated", new StateUpdated("conversation", "c", "k", "1")),
                3)
            .orElseThrow();
    final LedgerFixture again = new LedgerFixture("run-a"); // its sequences start over
    final Projection duplicate =
        projector
            .ledger("run-a", again.at(0, 1, new MessageDelta(new ChatMessage("assistant", "x"))), 4)
            .orElseThrow();

    // then
    assertThat(message.message()).map(TranscriptItem::getContent).contains("hi");
    assertThat(message.delivers()).isTrue();
    assertThat(state.stateUpdate()).isPresent();
    assertThat(duplicate.fold().outcome()).isEqualTo(FoldOutcome.DUPLICATE);
    assertThat(duplicate.message()).isEmpty();
    assertThat(duplicate.delivers()).isFalse();
  }

  @Test
  void shouldForgetRunEventsAndIndexWhenTombstoned() {
    // given
    projector.ledger("run-a", run.created(), 0);
    projector.ledger("run-a", run.claimed(1), 1);
    projector.ledger("run-b", new LedgerFixture("run-b").created(), 2);

    // when
    final boolean removed = projector.remove("run-a");

    // then
    assertThat(removed).isTrue();
    assertThat(projector.remove("run-a")).isFalse();
    assertThat(views.runs().entries()).containsOnlyKeys("run-b");
    assertThat(views.runEvents().entries()).containsOnlyKeys(RunEventKeys.key("run-b", 1));
    assertThat(views.runsIndex().entries().values()).containsOnly("run-b");
  }

  @Test
  void shouldNumberTranscriptItemsPerConversation() {
    // when
    projector.transcript(item("c-1", "one"));
    projector.transcript(item("c-2", "other"));
    projector.transcript(item("c-1", "two"));

    // then
    assertThat(views.transcript().get(ViewKeys.transcript(key("c-1"), 2)).getContent())
        .isEqualTo("two");
    assertThat(views.transcript().get(ViewKeys.transcript(key("c-2"), 1)).getSeq()).isEqualTo(1);
  }

  @Test
  void shouldKeepTwoTranscriptsWhenTwoWorkspacesShareAConversationId() {
    // when
    projector.transcript(item("acme", "general", "acme secret plan"));
    projector.transcript(item("evil", "general", "evil hello"));
    final boolean sameEvent = projector.transcript(event("evil", "general", "e-1", "evil again"));
    final boolean acmeEvent = projector.transcript(event("acme", "general", "e-1", "acme again"));

    // then: each numbered from 1 under its own workspace, the same event id once in each
    assertThat(sameEvent).isTrue();
    assertThat(acmeEvent).isTrue();
    assertThat(views.transcript().entries())
        .containsOnlyKeys(
            "acme/general/" + ViewKeys.padded(1),
            "acme/general/" + ViewKeys.padded(2),
            "evil/general/" + ViewKeys.padded(1),
            "evil/general/" + ViewKeys.padded(2));
    assertThat(views.transcript().get("evil/general/" + ViewKeys.padded(1)).getContent())
        .isEqualTo("evil hello");
  }

  @Test
  void shouldLeaveOutTranscriptItemsAndStateUpdatesWithoutAWorkspace() {
    // when: items as written before the v2 schemas
    final boolean kept =
        projector.transcript(
            TranscriptItem.newBuilder(item("c-1", "x")).setWorkspaceId(null).build());
    projector.state(StateEntry.newBuilder(stateEntry("acme", "k")).setWorkspaceId(null).build());

    // then
    assertThat(kept).isFalse();
    assertThat(views.transcript().entries()).isEmpty();
    assertThat(views.state().entries()).isEmpty();
  }

  @Test
  void shouldKeepSeparateStateEntriesWhenTwoWorkspacesShareScopeIds() {
    // when
    projector.state(stateEntry("acme", "\"a\""));
    projector.state(stateEntry("evil", "\"e\""));
    projector.state(stateEntry("evil", "\"e2\""));

    // then
    assertThat(views.state().get(ViewKeys.state("acme", "runner", "builtin:scenario", "k")))
        .extracting(StateEntry::getValueJson, StateEntry::getVersion)
        .containsExactly("\"a\"", 1L);
    assertThat(views.state().get(ViewKeys.state("evil", "runner", "builtin:scenario", "k")))
        .extracting(StateEntry::getValueJson, StateEntry::getVersion)
        .containsExactly("\"e2\"", 2L);
    assertThat(Projector.stateOwner(stateEntry("acme", "1")))
        .isEqualTo("acme/runner/builtin:scenario")
        .isNotEqualTo(Projector.stateOwner(stateEntry("evil", "1")));
  }

  @Test
  void shouldPutStateWrittenByARunUnderTheRunsWorkspace() {
    // given a run of acme
    final LedgerFixture acme = new LedgerFixture("run-acme", "acme");
    projector.ledger("run-acme", acme.created(), 0);
    projector.ledger("run-acme", acme.claimed(1), 1);

    // when it writes runner state
    final Projection state =
        projector
            .ledger(
                "run-acme",
                acme.result(
                    1, "state.updated", new StateUpdated("runner", "builtin:scenario", "k", "1")),
                2)
            .orElseThrow();

    // then
    assertThat(state.stateUpdate()).map(StateEntry::getWorkspaceId).contains("acme");
  }

  @Test
  void shouldIndexRunsUnderTheirWorkspace() {
    // when
    projector.ledger("run-a", run.created(), 0);
    projector.ledger("run-b", new LedgerFixture("run-b", "ws-2").created(), 1);

    // then
    assertThat(views.runsIndex().entries().keySet())
        .filteredOn(k -> k.startsWith(ViewKeys.index(ViewKeys.BY_TIME, "ws-2")))
        .singleElement()
        .satisfies(k -> assertThat(views.runsIndex().get(k)).isEqualTo("run-b"));
    assertThat(views.runsIndex().entries())
        .allSatisfy(
            (k, runId) ->
                assertThat(k)
                    .startsWith(
                        ViewKeys.index(
                            k.substring(0, 2), runId.equals("run-b") ? "ws-2" : LedgerFixture.WS)));
  }

  @Test
  void shouldApplyEachHostEventOncePerConversationWhenItIsSentAgain() {
    // when
    final boolean first = projector.transcript(event("c-1", "e-1", "hello"));
    final boolean again = projector.transcript(event("c-1", "e-1", "hello"));
    final boolean changed = projector.transcript(event("c-1", "e-1", "never processed"));
    final boolean elsewhere = projector.transcript(event("c-2", "e-1", "other conversation"));
    final boolean assistant = projector.transcript(item("c-1", "hi"));

    // then
    assertThat(first).isTrue();
    assertThat(again).isFalse();
    assertThat(changed).isFalse();
    assertThat(elsewhere).isTrue();
    assertThat(assistant).isTrue();
    assertThat(views.transcript().entries().values())
        .extracting(TranscriptItem::getContent)
        .containsExactly("hello", "hi", "other conversation");
    assertThat(views.transcriptEvents().entries())
        .containsOnly(
            entry(ViewKeys.transcriptEvent(key("c-1"), "e-1"), ViewKeys.transcript(key("c-1"), 1)),
            entry(ViewKeys.transcriptEvent(key("c-2"), "e-1"), ViewKeys.transcript(key("c-2"), 1)));
  }

  @Test
  void shouldKeepTranscriptEventKeysApartWhenIdsHoldTheSeparator() {
    // then
    assertThat(ViewKeys.transcriptEvent("a/b", "c"))
        .isNotEqualTo(ViewKeys.transcriptEvent("a", "b/c"));
  }

  @Test
  void shouldKeepOriginalDecisionAndForgetItOnTombstone() {
    // when
    projector.decision("ws-1/e-1", decision("e-1", Decision.RUN_CREATED));
    projector.decision("ws-1/e-1", decision("e-1", Decision.DUPLICATE));
    projector.decision("ws-1/e-2", decision("e-1", Decision.RUN_CREATED)); // under another key
    projector.decision("e-1", decision("e-1", Decision.RUN_CREATED)); // under no workspace
    projector.decision("ws-2/e-1", decision("e-1", Decision.NO_BINDING)); // another workspace's

    // then
    assertThat(views.decisions().get("ws-1/e-1").getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(views.decisions().get(ViewKeys.decision("ws-2", "e-1")).getDecision())
        .isEqualTo(Decision.NO_BINDING);
    assertThat(views.decisions().entries()).containsOnlyKeys("ws-1/e-1", "ws-2/e-1");

    // and when
    projector.decision("ws-1/e-1", null);

    // then
    assertThat(views.decisions().entries()).containsOnlyKeys("ws-2/e-1");
  }

  private static String key(final String conversation) {
    return ViewKeys.conversation(LedgerFixture.WS, conversation);
  }

  private static TranscriptItem item(final String conversation, final String text) {
    return item(LedgerFixture.WS, conversation, text);
  }

  private static TranscriptItem item(
      final String workspace, final String conversation, final String text) {
    return TranscriptItem.newBuilder()
        .setWorkspaceId(workspace)
        .setConversationId(conversation)
        .setSeq(0)
        .setRole("user")
        .setContent(text)
        .setTimestamp(Instant.EPOCH)
        .build();
  }

  private static TranscriptItem event(
      final String conversation, final String eventId, final String text) {
    return event(LedgerFixture.WS, conversation, eventId, text);
  }

  private static TranscriptItem event(
      final String workspace, final String conversation, final String eventId, final String text) {
    return TranscriptItem.newBuilder(item(workspace, conversation, text))
        .setEventId(eventId)
        .build();
  }

  private static StateEntry stateEntry(final String workspace, final String json) {
    return StateEntry.newBuilder()
        .setWorkspaceId(workspace)
        .setScope("runner")
        .setScopeId("builtin:scenario")
        .setKey("k")
        .setValueJson(json)
        .setVersion(0)
        .setUpdatedAt(Instant.EPOCH)
        .setRunId("run-" + workspace)
        .build();
  }

  private static DispatchDecision decision(final String eventId, final Decision decision) {
    return DispatchDecision.newBuilder()
        .setEventId(eventId)
        .setDecision(decision)
        .setRunId("run-a")
        .setDecidedAt(Instant.EPOCH)
        .build();
  }
}
