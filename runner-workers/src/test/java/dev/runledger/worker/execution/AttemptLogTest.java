package dev.runledger.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ApiOutcome;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunLiveness;
import dev.runledger.avro.SteeringInjected;
import dev.runledger.avro.SteeringItem;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.claim.RunClaim;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.Results;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/** The pure rules of an attempt's records: given changes, expect records. */
class AttemptLogTest {
  private static final String RUN = "run-1";
  private static final Instant T0 = Fixtures.NOW;
  private static final Instant T1 = Fixtures.NOW.plusSeconds(1);
  private static final int LIMIT = 4096;
  private static final LedgerTopics TOPICS = LedgerTopics.create(LedgerConfig.of(Map.of()));
  private static final ToIntFunction<LedgerRecord> SIZES =
      record -> TOPICS.runLedger().encodedSize(record.getRunId(), record);

  private final AttemptLog log = log(false);

  @Test
  void shouldNumberRecordsFromOneWithTheClaimFirstCarryingTheFirstPhaseWhenTheAttemptRuns() {
    // when
    final List<LedgerRecord> claim = log.claimed(LivenessPhase.WAITING_RUNNER, T0);
    final List<LedgerRecord> live = log.liveness(LivenessPhase.WAITING_RUNNER, T0);
    final List<LedgerRecord> delta = log.emit(Results.delta("hi"), T1).records();

    // then the claim holds the phase, so reporting it again writes nothing
    assertThat(claim).singleElement().extracting(LedgerRecord::getSequence).isEqualTo(1L);
    assertThat(claim.get(0).getBody())
        .isEqualTo(
            RunClaimed.newBuilder()
                .setWorkerId("worker-a")
                .setAttempt(3)
                .setPhase(LivenessPhase.WAITING_RUNNER)
                .build());
    assertThat(live).isEmpty();
    assertThat(delta).singleElement().extracting(LedgerRecord::getSequence).isEqualTo(2L);
    assertThat(delta.get(0).getTimestamp()).isEqualTo(T1);
    assertThat(List.of(claim.get(0), delta.get(0)))
        .allSatisfy(
            r -> {
              assertThat(r.getRunId()).isEqualTo(RUN);
              assertThat(r.getAttempt()).isEqualTo(3);
              assertThat(r.getProducer()).isEqualTo("worker-a");
              assertThat(r.getConversationKey()).isEqualTo("ws/bot/c1/");
            });
  }

  @Test
  void shouldWriteAClaimWithoutAPhaseAndThenTheFirstLivenessWhenTheAttemptDoesNotRunYet() {
    // when
    final List<LedgerRecord> claim = log.claimed(null, T0);
    final List<LedgerRecord> live = log.liveness(LivenessPhase.WAITING_RUNNER, T0);

    // then
    assertThat(((RunClaimed) claim.get(0).getBody()).getPhase()).isNull();
    assertThat(live).singleElement().extracting(LedgerRecord::getSequence).isEqualTo(2L);
  }

  @Test
  void shouldRefuseASecondClaimWhenRecordsWereWritten() {
    // given
    log.claimed(null, T0);

    // then
    assertThatThrownBy(() -> log.claimed(null, T0)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void shouldWriteOneTerminalAndOnlyAuditsAfterWhenTheAttemptEnds() {
    // given
    log.claimed(null, T0);

    // when
    final AttemptLog.Emitted first = log.emit(Results.completed(Results.STOP, null), T0);
    final AttemptLog.Emitted late = log.emit(Results.delta("late"), T0);
    final List<LedgerRecord> second =
        log.end(Results.failed(FailureCodes.CANCELLED, "too late", false), T0);

    // then
    assertThat(first.outcome()).isEqualTo(AttemptLog.Emit.ENDED);
    assertThat(first.records()).singleElement().extracting(LedgerRecord::getSequence).isEqualTo(2L);
    assertThat(late.outcome()).isEqualTo(AttemptLog.Emit.IGNORED);
    assertThat(late.records()).isEmpty();
    assertThat(second).isEmpty();
    assertThat(log.ended()).isTrue();
    assertThat(log.liveness(LivenessPhase.WAITING_MODEL, T0)).isEmpty();
    assertThat(log.stalled(Results.failed(FailureCodes.RUNNER_STALLED, "x", false), T0)).isEmpty();
    // a host-API call after the end is still audited, after the terminal
    assertThat(log.audit(call(), T0))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getSequence()).isEqualTo(3L);
              assertThat(r.getBody()).isEqualTo(call());
            });
  }

  @Test
  void shouldWriteNothingMoreWhenTheAttemptGaveUp() {
    // given
    log.claimed(null, T0);

    // when
    final boolean first = log.giveUp();
    final boolean again = log.giveUp();

    // then
    assertThat(first).isTrue();
    assertThat(again).isFalse();
    assertThat(log.end(Results.completed(Results.STOP, null), T0)).isEmpty();
    assertThat(log.pull(List.of(item("e1")), false, T0).items()).isEmpty();
  }

  @Test
  void shouldWriteLivenessOnlyWhenThePhaseChanges() {
    // when
    final List<LedgerRecord> first = log.liveness(LivenessPhase.WAITING_MODEL, T0);
    final List<LedgerRecord> same = log.liveness(LivenessPhase.WAITING_MODEL, T0);
    final List<LedgerRecord> next = log.liveness(LivenessPhase.IDLE_AFTER_TOOL, T0);

    // then
    assertThat(first).hasSize(1);
    assertThat(same).isEmpty();
    assertThat(((RunLiveness) next.get(0).getBody()).getPhase())
        .isEqualTo(LivenessPhase.IDLE_AFTER_TOOL);
  }

  @Test
  void shouldInjectPulledItemsAndListThemAfterTheRunnersOwnInTheTerminalWhenItEnds() {
    // given
    log.claimed(null, T0);
    final List<SteeringItem> queued = List.of(item("e1"), item("e2"), item("e3"));

    // when
    final AttemptLog.Pulled one = log.pull(queued, true, T0);
    final AttemptLog.Pulled rest = log.pull(queued.subList(log.steeringCursor(), 3), false, T0);
    final List<LedgerRecord> terminal =
        log.end(
            new AgentRunResult(
                Results.RUN_COMPLETED,
                RunCompleted.newBuilder()
                    .setFinishReason(Results.STOP)
                    .setPulledSteering(List.of("own", "e2"))
                    .build()),
            T0);

    // then
    assertThat(one.items()).extracting(SteeringItem::getSourceEventId).containsExactly("e1");
    assertThat(rest.items()).extracting(SteeringItem::getSourceEventId).containsExactly("e2", "e3");
    assertThat(log.steeringCursor()).isEqualTo(3);
    assertThat(rest.records())
        .extracting(r -> ((SteeringInjected) r.getBody()).getSourceEventId())
        .containsExactly("e2", "e3");
    assertThat(((RunCompleted) payload(terminal.get(0))).getPulledSteering())
        .containsExactly("own", "e2", "e1", "e3");
  }

  @Test
  void shouldListPulledItemsInAFailureWhenTheWorkerEndsTheRun() {
    // given
    log.claimed(null, T0);
    log.pull(List.of(item("e1")), false, T0);

    // when
    final List<LedgerRecord> terminal =
        log.end(Results.failed(FailureCodes.RUNNER_ERROR, "boom", false), T0);

    // then
    assertThat(((RunFailed) payload(terminal.get(0))).getPulledSteering()).containsExactly("e1");
  }

  @Test
  void shouldMergeConsecutiveDeltasOfOneRoleAndFlushThemBeforeTheNextRecordWhenCoalescing() {
    // given
    final AttemptLog coalescing = log(true);
    coalescing.claimed(null, T0);

    // when
    final AttemptLog.Emitted held = coalescing.emit(Results.delta("he"), T0);
    final AttemptLog.Emitted merged = coalescing.emit(Results.delta("llo"), T0);
    final List<LedgerRecord> audited = coalescing.audit(call(), T1);

    // then
    assertThat(held.outcome()).isEqualTo(AttemptLog.Emit.HELD);
    assertThat(held.records()).isEmpty();
    assertThat(merged.outcome()).isEqualTo(AttemptLog.Emit.MERGED);
    assertThat(audited).extracting(LedgerRecord::getSequence).containsExactly(2L, 3L);
    assertThat(deltaText(audited.get(0))).isEqualTo("hello");
    assertThat(audited.get(0).getTimestamp()).isEqualTo(T1);
  }

  @Test
  void shouldDropAHeldDeltaWhenTheCompletedMessageOfItsRoleContainsIt() {
    // given
    final AttemptLog coalescing = log(true);
    coalescing.claimed(null, T0);
    coalescing.emit(Results.delta("he"), T0);
    coalescing.emit(Results.delta("llo"), T0);

    // when
    final AttemptLog.Emitted completed = coalescing.emit(Results.messageCompleted("hello"), T1);

    // then only the message is written, with the next sequence, and nothing is left to flush
    assertThat(completed.outcome()).isEqualTo(AttemptLog.Emit.APPENDED);
    assertThat(completed.records())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getSequence()).isEqualTo(2L);
              assertThat(((MessageCompleted) payload(r)).getMessage().getContent())
                  .isEqualTo("hello");
            });
    assertThat(coalescing.flushDelta(T1)).isEmpty();
  }

  @Test
  void shouldKeepDeltasAlreadyFlushedAndOnlyDropTheHeldRestWhenTheMessageCompletes() {
    // given a runner that streams for longer than the window: its first delta was flushed
    final AttemptLog coalescing = log(true);
    coalescing.claimed(null, T0);
    coalescing.emit(Results.delta("he"), T0);
    final List<LedgerRecord> flushed = coalescing.flushDelta(T0);
    coalescing.emit(Results.delta("llo"), T1);

    // when
    final AttemptLog.Emitted completed = coalescing.emit(Results.messageCompleted("hello"), T1);

    // then
    assertThat(flushed).singleElement().satisfies(r -> assertThat(deltaText(r)).isEqualTo("he"));
    assertThat(completed.records())
        .singleElement()
        .satisfies(r -> assertThat(r.getSequence()).isEqualTo(3L));
  }

  @Test
  void shouldFlushAHeldDeltaTheCompletedMessageDoesNotContain() {
    // given
    final AttemptLog coalescing = log(true);
    coalescing.claimed(null, T0);
    coalescing.emit(Results.delta("draft"), T0);
    final AttemptLog other = log(true);
    other.claimed(null, T0);
    other.emit(toolDelta("hello"), T0);

    // when the message says something else, or is of another role
    final AttemptLog.Emitted differs = coalescing.emit(Results.messageCompleted("hello"), T1);
    final AttemptLog.Emitted otherRole = other.emit(Results.messageCompleted("hello"), T1);

    // then the delta is written before it
    assertThat(differs.records()).extracting(LedgerRecord::getSequence).containsExactly(2L, 3L);
    assertThat(deltaText(differs.records().get(0))).isEqualTo("draft");
    assertThat(otherRole.records()).extracting(LedgerRecord::getSequence).containsExactly(2L, 3L);
    assertThat(deltaText(otherRole.records().get(0))).isEqualTo("hello");
  }

  @Test
  void shouldWriteEveryDeltaBeforeTheCompletedMessageWhenCoalescingIsOff() {
    // given
    log.claimed(null, T0);
    log.emit(Results.delta("he"), T0);
    log.emit(Results.delta("llo"), T0);

    // when
    final AttemptLog.Emitted completed = log.emit(Results.messageCompleted("hello"), T1);

    // then
    assertThat(completed.records()).extracting(LedgerRecord::getSequence).containsExactly(4L);
  }

  @Test
  void shouldStartANewHeldDeltaWhenTheRoleChanges() {
    // given
    final AttemptLog coalescing = log(true);
    coalescing.emit(Results.delta("a"), T0);

    // when
    final AttemptLog.Emitted other = coalescing.emit(toolDelta("b"), T0);

    // then
    assertThat(other.outcome()).isEqualTo(AttemptLog.Emit.HELD);
    assertThat(other.records())
        .singleElement()
        .satisfies(r -> assertThat(deltaText(r)).isEqualTo("a"));
    assertThat(coalescing.flushDelta(T0))
        .singleElement()
        .satisfies(r -> assertThat(deltaText(r)).isEqualTo("b"));
    assertThat(coalescing.flushDelta(T0)).isEmpty();
  }

  @Test
  void shouldWriteEachDeltaWhenCoalescingIsOff() {
    // when
    final AttemptLog.Emitted first = log.emit(Results.delta("a"), T0);
    final AttemptLog.Emitted second = log.emit(Results.delta("b"), T0);

    // then
    assertThat(first.outcome()).isEqualTo(AttemptLog.Emit.APPENDED);
    assertThat(second.records()).hasSize(1);
    assertThat(log.flushDelta(T0)).isEmpty();
  }

  @Test
  void shouldWriteStalledLivenessThenTheTerminalAfterAHeldDeltaWhenTheRunnerStalls() {
    // given
    final AttemptLog coalescing = log(true);
    coalescing.claimed(null, T0);
    coalescing.emit(Results.delta("a"), T0);

    // when
    final List<LedgerRecord> records =
        coalescing.stalled(Results.failed(FailureCodes.RUNNER_STALLED, "quiet", false), T0);

    // then
    assertThat(records).extracting(LedgerRecord::getSequence).containsExactly(2L, 3L, 4L);
    assertThat(deltaText(records.get(0))).isEqualTo("a");
    assertThat(((RunLiveness) records.get(1).getBody()).getPhase())
        .isEqualTo(LivenessPhase.RUNNER_STALLED);
    assertThat(((RunFailed) payload(records.get(2))).getCode())
        .isEqualTo(FailureCodes.RUNNER_STALLED);
    assertThat(coalescing.ended()).isTrue();
  }

  @Test
  void shouldWriteOutputLimitWithTheSequenceOfAResultOverTheRecordLimit() {
    // given
    final AttemptLog limited = limited(false);
    limited.claimed(null, T0);
    limited.pull(List.of(item("s1")), false, T0);

    // when
    final AttemptLog.Emitted emitted = limited.emit(Results.messageCompleted(big()), T1);

    // then
    assertThat(emitted.records())
        .singleElement()
        .extracting(LedgerRecord::getSequence)
        .isEqualTo(3L);
    final RunFailed failed = (RunFailed) payload(emitted.records().get(0));
    assertThat(failed.getCode()).isEqualTo(FailureCodes.RUNNER_OUTPUT_LIMIT);
    assertThat(failed.getError())
        .contains("message.completed result is ")
        .contains("over the limit of " + LIMIT + " bytes (record.max.bytes)");
    assertThat(failed.getPulledSteering()).containsExactly("s1");
    assertThat(SIZES.applyAsInt(emitted.records().get(0))).isLessThanOrEqualTo(LIMIT);
    assertThat(limited.ended()).isTrue();
    assertThat(limited.takeRefusal()).isEqualTo(failed.getError());
    assertThat(limited.takeRefusal()).isNull();
    assertThat(limited.emit(Results.completed(Results.STOP, null), T1).outcome())
        .isEqualTo(AttemptLog.Emit.IGNORED);
  }

  @Test
  void shouldReplaceATerminalOverTheRecordLimitWithOutputLimit() {
    // given
    final AttemptLog limited = limited(false);
    limited.claimed(null, T0);

    // when
    final List<LedgerRecord> records =
        limited.end(Results.completed(Results.STOP, Results.assistant(big())), T1);

    // then
    assertThat(records).singleElement().extracting(LedgerRecord::getSequence).isEqualTo(2L);
    assertThat(((RunFailed) payload(records.get(0))).getCode())
        .isEqualTo(FailureCodes.RUNNER_OUTPUT_LIMIT);
    assertThat(limited.end(Results.completed(Results.STOP, null), T1)).isEmpty();
  }

  @Test
  void shouldEndTheAttemptWhenAHeldDeltaOverTheLimitIsFlushed() {
    // given
    final AttemptLog limited = limited(true);
    limited.claimed(null, T0);
    limited.emit(Results.delta(big()), T0);

    // when
    final List<LedgerRecord> records = limited.audit(call(), T1);

    // then: neither the delta nor the audit behind it is written
    assertThat(records).singleElement().extracting(LedgerRecord::getSequence).isEqualTo(2L);
    assertThat(((RunFailed) payload(records.get(0))).getError())
        .contains("message.delta result is ");
    assertThat(limited.flushDelta(T1)).isEmpty();
  }

  @Test
  void shouldDropAHeldDeltaOverTheLimitWithoutATerminalAfterGivingUp() {
    // given
    final AttemptLog limited = limited(true);
    limited.claimed(null, T0);
    limited.emit(Results.delta(big()), T0);
    limited.giveUp();

    // when
    final List<LedgerRecord> records = limited.flushDelta(T1);

    // then
    assertThat(records).isEmpty();
    assertThat(limited.takeRefusal()).isNull();
  }

  private static String big() {
    return "x".repeat(LIMIT);
  }

  private static AttemptLog limited(final boolean coalesce) {
    return new AttemptLog(claim(), "worker-a", coalesce, SIZES, LIMIT);
  }

  private static RunClaim claim() {
    return new RunClaim(
        RUN, 3, Fixtures.startRun(RUN, "test:x/default", "hi", "{}", Fixtures.NOW.plusSeconds(60)));
  }

  private static AttemptLog log(final boolean coalesce) {
    return new AttemptLog(
        new RunClaim(
            RUN,
            3,
            Fixtures.startRun(RUN, "test:x/default", "hi", "{}", Fixtures.NOW.plusSeconds(60))),
        "worker-a",
        coalesce);
  }

  private static SteeringItem item(final String eventId) {
    return SteeringItem.newBuilder()
        .setSourceEventId(eventId)
        .setClaimedRunId(RUN)
        .setRunnerId("test:x/default")
        .setClaimedAt(Fixtures.NOW)
        .setInput(EventInput.newBuilder().setText(eventId).build())
        .build();
  }

  private static HostApiCall call() {
    return HostApiCall.newBuilder().setAction("state_get").setOutcome(ApiOutcome.DENIED).build();
  }

  private static Object payload(final LedgerRecord record) {
    return ((AgentRunResult) record.getBody()).getPayload();
  }

  private static AgentRunResult toolDelta(final String text) {
    return new AgentRunResult(
        Results.MESSAGE_DELTA,
        MessageDelta.newBuilder()
            .setChunk(ChatMessage.newBuilder(Results.assistant(text)).setRole("tool").build())
            .build());
  }

  private static String deltaText(final LedgerRecord record) {
    return ((MessageDelta) payload(record)).getChunk().getContent();
  }
}
