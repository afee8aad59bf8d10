package dev.runledger.orchestrator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunNoticeKind;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.RunTrack;
import dev.runledger.avro.SteeringInjected;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunTrackerTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final String RUN = "run_1";

  private static LedgerRecord record(final Object body, final String conversationKey) {
    return LedgerRecord.newBuilder()
        .setRunId(RUN)
        .setAttempt(1)
        .setSequence(1)
        .setTimestamp(NOW)
        .setProducer("w1")
        .setConversationKey(conversationKey)
        .setBody(body)
        .build();
  }

  private static LedgerRecord created(final String conversationKey) {
    final LedgerRecord real =
        new RunDecider(java.util.Set.of("default"))
            .decide(
                Fixtures.event("e1").build(),
                Resolution.matched(
                    Fixtures.binding("b1", Fixtures.ECHO).build(),
                    Fixtures.manifest(Fixtures.ECHO, "default").build()),
                NOW)
            .run()
            .orElseThrow()
            .created();
    return LedgerRecord.newBuilder(real).setRunId(RUN).setConversationKey(conversationKey).build();
  }

  private static RunCommand cancel(final String requestedBy) {
    return RunCommand.newBuilder()
        .setRunId(RUN)
        .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy(requestedBy).build())
        .build();
  }

  private static LedgerRecord completed(final String... pulled) {
    return record(
        AgentRunResult.newBuilder()
            .setType("run.completed")
            .setPayload(
                RunCompleted.newBuilder()
                    .setFinishReason("stop")
                    .setPulledSteering(List.of(pulled))
                    .build())
            .build(),
        null);
  }

  @Test
  void shouldRouteByConversationKeyOrElseByEventId() {
    assertThat(RunTracker.onLedger(null, created("k/c")).track().getRoutingKey()).isEqualTo("k/c");
    assertThat(RunTracker.onLedger(null, created(null)).track().getRoutingKey()).isEqualTo("e1");
  }

  @Test
  void shouldHoldARunWithoutALaneAndLearnOnlyOfItsEndAndItsCancels() {
    // given
    final RunTrack held = RunTracker.onLedger(null, created("k"), true).track();

    // when
    final RunTracker.Step claimed =
        RunTracker.onLedger(
            held, record(RunClaimed.newBuilder().setWorkerId("w").setAttempt(1).build(), null));
    final RunTracker.Step cancelled = RunTracker.onControl(held, cancel("api"), false);
    final RunTracker.Step ended = RunTracker.onLedger(held, completed());

    // then the track holds the run, a claim changes nothing, a cancel and the end are noticed
    assertThat(held.getRun().getRunId()).isEqualTo(RUN);
    assertThat(held.getRun().getNextSequence()).isEqualTo(2);
    assertThat(LanelessRuns.holds(RunTracker.onLedger(null, created("k")).track())).isFalse();
    assertThat(claimed.track()).isEqualTo(held);
    assertThat(claimed.notice()).isEmpty();
    assertThat(cancelled.notice())
        .get()
        .extracting(RunNotice::getKind)
        .isEqualTo(RunNoticeKind.CANCEL);
    assertThat(ended.track().getEnded()).isTrue();
    assertThat(ended.notice()).get().extracting(RunNotice::getKind).isEqualTo(RunNoticeKind.ENDED);
  }

  @Test
  void shouldNoticeTheFirstClaimOnly() {
    // given
    final RunTrack track = RunTracker.onLedger(null, created("k")).track();

    // when
    final RunTracker.Step first =
        RunTracker.onLedger(
            track, record(RunClaimed.newBuilder().setWorkerId("w").setAttempt(1).build(), null));
    final RunTracker.Step second =
        RunTracker.onLedger(
            first.track(),
            record(RunClaimed.newBuilder().setWorkerId("w").setAttempt(2).build(), null));

    // then
    assertThat(first.routingKey()).isEqualTo("k");
    assertThat(first.notice())
        .get()
        .extracting(RunNotice::getKind)
        .isEqualTo(RunNoticeKind.CLAIMED);
    assertThat(second.notice()).isEmpty();
  }

  @Test
  void shouldNoticeTheFirstTerminalWithPulledAndInjectedSteering() {
    // given
    RunTrack track = RunTracker.onLedger(null, created("k")).track();
    track =
        RunTracker.onLedger(
                track, record(SteeringInjected.newBuilder().setSourceEventId("e3").build(), null))
            .track();

    // when
    final RunTracker.Step ended = RunTracker.onLedger(track, completed("e2"));
    final RunTracker.Step late =
        RunTracker.onLedger(
            ended.track(),
            record(
                AgentRunResult.newBuilder()
                    .setType("run.failed")
                    .setPayload(RunFailed.newBuilder().setCode("cancelled").setError("x").build())
                    .build(),
                null));

    // then
    final RunNotice notice = ended.notice().orElseThrow();
    assertThat(notice.getKind()).isEqualTo(RunNoticeKind.ENDED);
    assertThat(notice.getPulledSteering()).containsExactly("e2", "e3");
    assertThat(late.notice()).isEmpty();
  }

  @Test
  void shouldTreatRunTimedOutAsTheEnd() {
    final RunTrack track = RunTracker.onLedger(null, created("k")).track();

    final RunTracker.Step step =
        RunTracker.onLedger(
            track, record(RunTimedOut.newBuilder().setDeadlineAt(NOW).build(), null));

    assertThat(step.notice()).get().extracting(RunNotice::getKind).isEqualTo(RunNoticeKind.ENDED);
  }

  @Test
  void shouldHoldACancelThatArrivesBeforeTheRunExists() {
    // when
    final RunTracker.Step early = RunTracker.onControl(null, cancel("api"), false);
    final RunTracker.Step created = RunTracker.onLedger(early.track(), created("k"));

    // then
    assertThat(early.notice()).isEmpty();
    assertThat(early.track().getCancelReason()).isEqualTo("requested");
    final RunNotice notice = created.notice().orElseThrow();
    assertThat(notice.getKind()).isEqualTo(RunNoticeKind.CANCEL);
    assertThat(notice.getRequestedBy()).isEqualTo("api");
    assertThat(created.track().getCancelReason()).isNull();
  }

  @Test
  void shouldIgnoreTheOrchestratorsOwnCancelsAndCancelsOfEndedRuns() {
    // given
    final RunTrack live = RunTracker.onLedger(null, created("k")).track();
    final RunTrack ended = RunTracker.onLedger(live, completed()).track();

    // then
    assertThat(RunTracker.onControl(live, cancel(DispatchPolicy.ORCHESTRATOR), false).notice())
        .isEmpty();
    assertThat(RunTracker.onControl(ended, cancel("api"), false).notice()).isEmpty();
    assertThat(RunTracker.onControl(live, cancel("api"), true).notice())
        .as("the orchestrator's relay of an api cancel")
        .isEmpty();
    assertThat(RunTracker.onControl(live, cancel("api"), false).notice())
        .get()
        .extracting(RunNotice::getKind)
        .isEqualTo(RunNoticeKind.CANCEL);
  }

  @Test
  void shouldIgnoreRecordsOfARunItNeverSawCreated() {
    final RunTracker.Step step = RunTracker.onLedger(null, completed());

    assertThat(step.notice()).isEmpty();
    assertThat(step.track()).isEqualTo(RunTracker.fresh());
  }
}
