package dev.runledger.projections.fold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.MessageDelta;
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
    assertThat(views.transcript().get(ViewKeys.transcript("c-1", 2)).getContent()).isEqualTo("two");
    assertThat(views.transcript().get(ViewKeys.transcript("c-2", 1)).getSeq()).isEqualTo(1);
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
            entry(ViewKeys.transcriptEvent("c-1", "e-1"), ViewKeys.transcript("c-1", 1)),
            entry(ViewKeys.transcriptEvent("c-2", "e-1"), ViewKeys.transcript("c-2", 1)));
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
    projector.decision("e-1", decision("e-1", Decision.RUN_CREATED));
    projector.decision("e-1", decision("e-1", Decision.DUPLICATE));
    projector.decision("e-2", decision("e-1", Decision.RUN_CREATED)); // under another key

    // then
    assertThat(views.decisions().get("e-1").getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(views.decisions().entries()).containsOnlyKeys("e-1");

    // and when
    projector.decision("e-1", null);

    // then
    assertThat(views.decisions().entries()).isEmpty();
  }

  private static TranscriptItem item(final String conversation, final String text) {
    return TranscriptItem.newBuilder()
        .setConversationId(conversation)
        .setSeq(0)
        .setRole("user")
        .setContent(text)
        .setTimestamp(Instant.EPOCH)
        .build();
  }

  private static TranscriptItem event(
      final String conversation, final String eventId, final String text) {
    return TranscriptItem.newBuilder(item(conversation, text)).setEventId(eventId).build();
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
