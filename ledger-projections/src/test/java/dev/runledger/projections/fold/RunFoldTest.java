package dev.runledger.projections.fold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AttemptProgress;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.LivenessView;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunStatus;
import dev.runledger.projections.LedgerFixture;
import dev.runledger.schemas.json.AvroJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Given ledger records, when one more arrives, expect this view (ARCHITECTURE.md §3.5, §7.2). */
class RunFoldTest {
  private final LedgerFixture ledger = new LedgerFixture("run-1");
  private final Scenario scenario = new Scenario();

  // ---- status machine

  @Test
  void shouldBeQueuedWithRunMetadataWhenRunCreated() {
    // when
    final FoldResult result = scenario.when(ledger.created());

    // then
    final AgentRun run = result.run();
    assertThat(result.outcome()).isEqualTo(FoldOutcome.APPLIED);
    assertThat(run.getStatus()).isEqualTo(RunStatus.QUEUED);
    assertThat(run.getEventId()).isEqualTo("event-run-1");
    assertThat(run.getBindingId()).isEqualTo("binding-1");
    assertThat(run.getRunnerId()).isEqualTo("builtin:echo/default");
    assertThat(run.getPool()).isEqualTo("default");
    assertThat(run.getWorkspaceId()).isEqualTo("ws-1");
    assertThat(run.getConversationId()).isEqualTo("conv-1");
    assertThat(run.getDeadlineAt()).isEqualTo(LedgerFixture.DEADLINE);
    assertThat(run.getCreatedAt()).isEqualTo(LedgerFixture.START.plusSeconds(1));
    assertThat(run.getAttempt()).isZero();
    assertThat(run.getLastSequence()).isEqualTo(1);
    assertThat(run.getEventCount()).isEqualTo(1);
  }

  @Test
  void shouldBeRunningWhenClaimed() {
    // given
    scenario.given(ledger.created());

    // when
    final LedgerRecord claim = ledger.claimed(1);
    final AgentRun run = scenario.when(claim).run();

    // then
    assertThat(run.getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.getAttempt()).isEqualTo(1);
    assertThat(run.getWorkerId()).isEqualTo("worker-1");
    assertThat(run.getClaimedAt()).isEqualTo(claim.getTimestamp());
    assertThat(run.getStartedAt()).isEqualTo(claim.getTimestamp());
    assertThat(run.getLastSequence()).isEqualTo(1);
  }

  @Test
  void shouldCompleteWithLastMessageWhenRunCompleted() {
    // given
    scenario.given(
        ledger.created(),
        ledger.claimed(1),
        ledger.delta(1, "hel"),
        ledger.delta(1, "lo"),
        ledger.message(1, "hello"));

    // when
    final LedgerRecord done = ledger.completed(1);
    final AgentRun run = scenario.when(done).run();

    // then
    assertThat(run.getStatus()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.getFinishedAt()).isEqualTo(done.getTimestamp());
    assertThat(run.getFinalMessage()).isEqualTo("hello");
    assertThat(run.getResultCount()).isEqualTo(4);
    assertThat(run.getLastSequence()).isEqualTo(5);
    assertThat(run.getError()).isNull();
  }

  @Test
  void shouldTakeFinalMessageFromRunCompletedWhenItCarriesOne() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.message(1, "draft"));

    // when
    final AgentRun run = scenario.when(ledger.completedWith(1, "final answer")).run();

    // then
    assertThat(run.getFinalMessage()).isEqualTo("final answer");
  }

  @Test
  void shouldFailWithErrorWhenRunFailed() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));

    // when
    final AgentRun run = scenario.when(ledger.failed(1, "runner.error")).run();

    // then
    assertThat(run.getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(run.getError().getCode()).isEqualTo("runner.error");
    assertThat(run.getError().getMessage()).isEqualTo("it went wrong: runner.error");
    assertThat(run.getError().getRetryable()).isTrue();
    assertThat(run.getFinishedAt()).isNotNull();
  }

  @Test
  void shouldBeCancelledWhenRunFailedWithCodeCancelled() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.cancelRequested());

    // when
    final AgentRun run = scenario.when(ledger.failed(1, "cancelled")).run();

    // then
    assertThat(run.getStatus()).isEqualTo(RunStatus.CANCELLED);
    assertThat(run.getError().getCode()).isEqualTo("cancelled");
  }

  @Test
  void shouldTimeOutWhenRunTimedOut() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));

    // when
    final LedgerRecord timeout = ledger.timedOut();
    final AgentRun run = scenario.when(timeout).run();

    // then
    assertThat(run.getStatus()).isEqualTo(RunStatus.TIMEOUT);
    assertThat(run.getFinishedAt()).isEqualTo(timeout.getTimestamp());
    assertThat(run.getError().getCode()).isEqualTo("deadline_exceeded");
  }

  @Test
  void shouldTrackLivenessAndClearItWhenRunEnds() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));

    // when
    final LedgerRecord waiting = ledger.liveness(1, LivenessPhase.WAITING_MODEL);
    final AgentRun live = scenario.when(waiting).run();
    final AgentRun ended = scenario.when(ledger.completed(1)).run();

    // then
    assertThat(live.getLiveness().getPhase()).isEqualTo(LivenessPhase.WAITING_MODEL);
    assertThat(live.getLiveness().getSince()).isEqualTo(waiting.getTimestamp());
    assertThat(ended.getLiveness()).isNull();
  }

  @Test
  void shouldTakeTheFirstLivenessPhaseFromAClaimThatCarriesIt() {
    // given
    scenario.given(ledger.created());

    // when
    final LedgerRecord claim = ledger.claimed(1, LivenessPhase.WAITING_RUNNER);
    final AgentRun run = scenario.when(claim).run();

    // then
    assertThat(run.getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.getLiveness().getPhase()).isEqualTo(LivenessPhase.WAITING_RUNNER);
    assertThat(run.getLiveness().getSince()).isEqualTo(claim.getTimestamp());
  }

  @Test
  void shouldReplaceTheLivenessOfTheSupersededAttemptWithTheNewClaimsPhase() {
    // given attempt 1 waiting on its model
    scenario.given(
        ledger.created(),
        ledger.claimed(1, LivenessPhase.WAITING_RUNNER),
        ledger.liveness(1, LivenessPhase.WAITING_MODEL));

    // when attempt 2 claims the run
    final LedgerRecord claim = ledger.claimed(2, LivenessPhase.WAITING_RUNNER);
    final AgentRun run = scenario.when(claim).run();

    // then
    assertThat(run.getAttempt()).isEqualTo(2);
    assertThat(run.getLiveness())
        .isEqualTo(new LivenessView(LivenessPhase.WAITING_RUNNER, claim.getTimestamp()));
  }

  @Test
  void shouldShowTheSameRunWhetherTheFirstPhaseCameInTheClaimOrInALivenessRecord() {
    // given a one-turn run as a worker before LedgerRecord v2 wrote it (claim, liveness, delta,
    // message, terminal) and as one of v2 writes it (the phase in the claim, no delta that its
    // message.completed repeats), each record at the same time in both
    final LedgerFixture v1 = new LedgerFixture("run-1");
    final LedgerFixture v2 = new LedgerFixture("run-1");
    final LedgerRecord created = v1.created();
    final LedgerRecord claim = v1.claimed(1);
    final Scenario old = new Scenario();
    final Scenario fewer = new Scenario();
    old.given(
        created,
        claim,
        withTime(v1.liveness(1, LivenessPhase.WAITING_RUNNER), claim.getTimestamp()));
    fewer.given(
        created, withTime(v2.claimed(1, LivenessPhase.WAITING_RUNNER), claim.getTimestamp()));
    old.given(v1.delta(1, "hello"));
    final AgentRun oldStreaming = old.run;

    // when both carry on to the same message and terminal
    final LedgerRecord message = v1.message(1, "hello");
    old.given(message);
    fewer.given(withTime(v2.message(1, "hello"), message.getTimestamp()));
    final AgentRun oldRunning = old.run;
    final AgentRun running = fewer.run;
    final LedgerRecord done = v1.completed(1);
    old.given(done);
    fewer.given(withTime(v2.completed(1), done.getTimestamp()));

    // then users see the same run at each step; only the counts of records are smaller
    assertThat(running.getLiveness()).isEqualTo(oldStreaming.getLiveness());
    assertThat(userFacing(running)).isEqualTo(userFacing(oldRunning));
    assertThat(userFacing(fewer.run)).isEqualTo(userFacing(old.run));
    assertThat(fewer.run.getStatus()).isEqualTo(RunStatus.COMPLETED);
    assertThat(fewer.run.getEventCount()).isEqualTo(4);
    assertThat(old.run.getEventCount()).isEqualTo(6);
    assertThat(fewer.events)
        .extracting(AgentRunEvent::getType)
        .containsExactly("run.created", "run.claimed", "message.completed", "run.completed");
  }

  @Test
  void shouldKeepTheLivenessOfAClaimWithoutAPhase() {
    // given
    scenario.given(ledger.created());

    // when a claim written before LedgerRecord v2 arrives
    final AgentRun run = scenario.when(ledger.claimed(1)).run();

    // then the run has no phase until its liveness record
    assertThat(run.getLiveness()).isNull();
    assertThat(scenario.when(ledger.liveness(1, LivenessPhase.WAITING_RUNNER)).run().getLiveness())
        .isNotNull();
  }

  @Test
  void shouldCountSteeringWhenQueuedInjectedAndDropped() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.queued("e-2"), ledger.queued("e-3"));

    // when
    scenario.when(ledger.injected(1, "e-2"));
    scenario.when(ledger.completed(1));
    final AgentRun run = scenario.when(ledger.dropped("e-3")).run();

    // then
    assertThat(run.getSteering().getQueued()).isEqualTo(2);
    assertThat(run.getSteering().getInjected()).isEqualTo(1);
    assertThat(run.getSteering().getDropped()).isEqualTo(1);
    assertThat(run.getStatus()).isEqualTo(RunStatus.COMPLETED);
  }

  // ---- first terminal wins

  @Test
  void shouldKeepFirstTerminalWhenASecondTerminalArrives() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.completedWith(1, "done"));
    final AgentRun before = scenario.run;

    // when
    final FoldResult result = scenario.when(ledger.failed(1, "runner.error"));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.LATE_TERMINAL);
    assertThat(result.event()).isEmpty();
    assertThat(result.run().getLateTerminalCount()).isEqualTo(1);
    assertThat(result.run().getStatus()).isEqualTo(RunStatus.COMPLETED);
    assertThat(result.run().getFinishedAt()).isEqualTo(before.getFinishedAt());
    assertThat(result.run().getError()).isNull();
    assertThat(result.run().getEventCount()).isEqualTo(before.getEventCount());
  }

  @Test
  void shouldCountWorkerTerminalAsLateWhenRunAlreadyTimedOut() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.timedOut());

    // when
    final FoldResult result = scenario.when(ledger.failed(1, "deadline_exceeded"));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.LATE_TERMINAL);
    assertThat(result.run().getStatus()).isEqualTo(RunStatus.TIMEOUT);
    assertThat(result.run().getLateTerminalCount()).isEqualTo(1);
  }

  @Test
  void shouldNotCountSequenceAsGapWhenRecordAfterLateTerminalArrives() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.timedOut(), ledger.failed(1, "x"));

    // when
    final FoldResult result = scenario.when(ledger.hostApiCall(1));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.APPLIED);
    assertThat(result.run().getGapCount()).isZero();
    assertThat(result.run().getStatus()).isEqualTo(RunStatus.TIMEOUT);
  }

  // ---- fencing

  @Test
  void shouldSupersedeAttemptWhenHigherAttemptClaims() {
    // given
    final LedgerRecord firstClaim = ledger.claimed(1);
    scenario.given(ledger.created(), firstClaim, ledger.delta(1, "a"), ledger.delta(1, "b"));

    // when
    final LedgerRecord takeover = ledger.claimed(2);
    final AgentRun run = scenario.when(takeover).run();

    // then
    assertThat(run.getAttempt()).isEqualTo(2);
    assertThat(run.getWorkerId()).isEqualTo("worker-2");
    assertThat(run.getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.getResultCount()).isZero();
    assertThat(run.getLastSequence()).isEqualTo(1);
    assertThat(run.getClaimedAt()).isEqualTo(takeover.getTimestamp());
    assertThat(run.getStartedAt()).isEqualTo(firstClaim.getTimestamp());
  }

  @Test
  void shouldFenceRecordOfSupersededAttemptWhenItArrivesAfterTakeover() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.delta(1, "a"), ledger.claimed(2));
    final AgentRun before = scenario.run;

    // when
    final FoldResult result = scenario.when(ledger.message(1, "stale"));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.FENCED);
    assertThat(result.event()).isEmpty();
    assertThat(result.run().getFencedCount()).isEqualTo(1);
    assertThat(result.run().getFinalMessage()).isNull();
    assertThat(result.run().getEventCount()).isEqualTo(before.getEventCount());
    assertThat(result.run().getAttempts()).isEqualTo(before.getAttempts());
  }

  @Test
  void shouldNotEndRunWhenTerminalOfSupersededAttemptArrives() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.claimed(2), ledger.message(2, "B"));

    // when
    final FoldResult stale = scenario.when(ledger.completedWith(1, "A"));
    final FoldResult current = scenario.when(ledger.completed(2));

    // then
    assertThat(stale.outcome()).isEqualTo(FoldOutcome.FENCED);
    assertThat(stale.run().getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(current.outcome()).isEqualTo(FoldOutcome.APPLIED);
    assertThat(current.run().getStatus()).isEqualTo(RunStatus.COMPLETED);
    assertThat(current.run().getFinalMessage()).isEqualTo("B");
    assertThat(current.run().getLateTerminalCount()).isZero();
    assertThat(current.run().getFencedCount()).isEqualTo(1);
  }

  @Test
  void shouldNeverFenceOrchestratorRecordsWhenAWorkerAttemptIsCurrent() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.claimed(2));

    // when
    final FoldResult result = scenario.when(ledger.queued("e-9"));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.APPLIED);
    assertThat(result.run().getSteering().getQueued()).isEqualTo(1);
    assertThat(result.run().getFencedCount()).isZero();
  }

  @Test
  void shouldFenceClaimWhenRunEndedBeforeAnyWorkerClaimedIt() {
    // given: cancelled by the orchestrator before any claim
    scenario.given(ledger.created(), ledger.cancelRequested(), ledger.failed(0, "cancelled"));

    // when
    final FoldResult claim = scenario.when(ledger.claimed(1));
    final FoldResult failed = scenario.when(ledger.failed(1, "cancelled"));

    // then
    assertThat(claim.outcome()).isEqualTo(FoldOutcome.FENCED);
    assertThat(failed.outcome()).isEqualTo(FoldOutcome.FENCED);
    assertThat(failed.run().getStatus()).isEqualTo(RunStatus.CANCELLED);
    assertThat(failed.run().getStartedAt()).isNull();
    assertThat(failed.run().getAttempt()).isZero();
    assertThat(failed.run().getFencedCount()).isEqualTo(2);
  }

  @Test
  void shouldStartAttemptWhenRecordOfHigherAttemptArrivesWithoutClaim() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));

    // when
    final FoldResult result =
        scenario.when(
            ledger.at(
                2,
                2,
                new AgentRunResult(
                    "message.delta", new MessageDelta(new ChatMessage("assistant", "x")))));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.APPLIED);
    assertThat(result.run().getAttempt()).isEqualTo(2);
    assertThat(result.run().getWorkerId()).isEqualTo("worker-2");
    assertThat(result.run().getGapCount()).isEqualTo(1);
    assertThat(result.run().getResultCount()).isEqualTo(1);
  }

  // ---- duplicates and gaps

  @Test
  void shouldApplyDuplicateOnceWhenSameAttemptAndSequenceArriveTwice() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));
    final LedgerRecord delta = ledger.delta(1, "a");
    scenario.given(delta);
    final AgentRun before = scenario.run;

    // when
    final FoldResult result = scenario.when(delta);

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.DUPLICATE);
    assertThat(result.event()).isEmpty();
    assertThat(result.run().getDuplicateCount()).isEqualTo(1);
    assertThat(result.run().getResultCount()).isEqualTo(before.getResultCount());
    assertThat(result.run().getEventCount()).isEqualTo(before.getEventCount());
    assertThat(result.run().getLastOffset()).isEqualTo(before.getLastOffset());
  }

  @Test
  void shouldTreatSequenceRegressionAsDuplicateWhenOlderSequenceArrives() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.delta(1, "a"), ledger.delta(1, "b"));

    // when
    final FoldResult result =
        scenario.when(
            ledger.at(
                1,
                2,
                new AgentRunResult(
                    "message.delta", new MessageDelta(new ChatMessage("assistant", "again")))));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.DUPLICATE);
    assertThat(result.run().getLastSequence()).isEqualTo(3);
  }

  @Test
  void shouldApplyDuplicateRunCreatedOnceWhenOrchestratorWritesItTwice() {
    // given
    final LedgerRecord created = ledger.created();
    scenario.given(created);

    // when
    final FoldResult result = scenario.when(created);

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.DUPLICATE);
    assertThat(result.run().getEventCount()).isEqualTo(1);
  }

  @Test
  void shouldApplyBothWhenDifferentAttemptsUseTheSameSequence() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.delta(1, "a"), ledger.claimed(2));

    // when
    final FoldResult result = scenario.when(ledger.delta(2, "b"));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.APPLIED);
    assertThat(result.run().getDuplicateCount()).isZero();
    assertThat(result.run().getAttempts())
        .containsExactly(
            new AttemptProgress(0, 1L), new AttemptProgress(1, 2L), new AttemptProgress(2, 2L));
  }

  @Test
  void shouldCountGapAndStillApplyWhenSequenceSkips() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));

    // when
    final FoldResult result =
        scenario.when(
            ledger.at(
                1,
                5,
                new AgentRunResult(
                    "message.delta", new MessageDelta(new ChatMessage("assistant", "late")))));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.APPLIED);
    assertThat(result.run().getGapCount()).isEqualTo(1);
    assertThat(result.run().getLastSequence()).isEqualTo(5);
    assertThat(result.event()).isPresent();
  }

  // ---- events

  @Test
  void shouldNumberEventsFromOneWithoutGapsWhenRecordsAreSkipped() {
    // given: a duplicate, a fenced record, a late terminal and an invalid result in between
    scenario.given(ledger.created(), ledger.claimed(1));
    final LedgerRecord delta = ledger.delta(1, "a");
    scenario.given(
        delta,
        delta,
        ledger.claimed(2),
        ledger.delta(1, "stale"),
        ledger.result(2, "message.completed", new MessageDelta(new ChatMessage("a", "b"))),
        ledger.message(2, "hi"),
        ledger.completed(2),
        ledger.timedOut());

    // when
    final FoldResult result = scenario.when(ledger.dropped("e-1"));

    // then
    assertThat(scenario.events)
        .extracting(AgentRunEvent::getSeq)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    assertThat(scenario.events)
        .extracting(AgentRunEvent::getType)
        .containsExactly(
            "run.created",
            "run.claimed",
            "message.delta",
            "run.claimed",
            "message.completed",
            "run.completed",
            "steering.dropped");
    assertThat(result.run().getEventCount()).isEqualTo(7);
    assertThat(result.run().getDuplicateCount()).isEqualTo(1);
    assertThat(result.run().getFencedCount()).isEqualTo(1);
    assertThat(result.run().getLateTerminalCount()).isEqualTo(1);
    assertThat(result.run().getInvalidResultCount()).isEqualTo(1);
  }

  @Test
  void shouldDescribeEventWithAttemptSequenceProducerAndData() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));

    // when
    final LedgerRecord message = ledger.message(1, "hello");
    final AgentRunEvent event = scenario.when(message).event().orElseThrow();

    // then
    assertThat(event.getRunId()).isEqualTo("run-1");
    assertThat(event.getSeq()).isEqualTo(3);
    assertThat(event.getType()).isEqualTo("message.completed");
    assertThat(event.getAttempt()).isEqualTo(1);
    assertThat(event.getSequence()).isEqualTo(2);
    assertThat(event.getTimestamp()).isEqualTo(message.getTimestamp());
    assertThat(event.getProducer()).isEqualTo("worker-1");
    final JsonNode data = AvroJson.parse(event.getDataJson(), "data");
    assertThat(data.at("/message/role").asText()).isEqualTo("assistant");
    assertThat(data.at("/message/content").asText()).isEqualTo("hello");
  }

  @Test
  void shouldNameEveryLifecycleRecordWhenAppendingEvents() {
    // given
    scenario.given(
        ledger.created(),
        ledger.claimed(1),
        ledger.liveness(1, LivenessPhase.WAITING_TOOL),
        ledger.queued("e-2"),
        ledger.injected(1, "e-2"),
        ledger.hostApiCall(1),
        ledger.cancelRequested(),
        ledger.timedOut(),
        ledger.dropped("e-3"));

    // then
    assertThat(scenario.events)
        .extracting(AgentRunEvent::getType)
        .containsExactly(
            "run.created",
            "run.claimed",
            "run.liveness",
            "steering.queued",
            "steering.injected",
            "host_api.call",
            "cancel.requested",
            "run.timed_out",
            "steering.dropped");
    final JsonNode claim = AvroJson.parse(scenario.events.get(1).getDataJson(), "data");
    assertThat(claim.get("worker_id").asText()).isEqualTo("worker-1");
    final JsonNode liveness = AvroJson.parse(scenario.events.get(2).getDataJson(), "data");
    assertThat(liveness.get("phase").asText()).isEqualTo("waiting_tool");
  }

  // ---- unknown and invalid results

  @Test
  void shouldKeepUnknownResultAsEventWithoutApplyingIt() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1));

    // when
    final FoldResult result = scenario.when(ledger.unknown(1, "custom.thing"));

    // then
    assertThat(result.outcome()).isEqualTo(FoldOutcome.UNKNOWN_RESULT);
    assertThat(result.run().getInvalidResultCount()).isEqualTo(1);
    assertThat(result.run().getResultCount()).isZero();
    final AgentRunEvent event = result.event().orElseThrow();
    assertThat(event.getType()).isEqualTo("custom.thing");
    assertThat(AvroJson.parse(event.getDataJson(), "data").get("answer").asInt()).isEqualTo(42);
  }

  @Test
  void shouldDropResultWhenPayloadDoesNotMatchItsType() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.message(1, "kept"));

    // when
    final FoldResult invalid =
        scenario.when(
            ledger.result(1, "run.completed", new MessageDelta(new ChatMessage("a", "b"))));
    final FoldResult next = scenario.when(ledger.delta(1, "c"));

    // then
    assertThat(invalid.outcome()).isEqualTo(FoldOutcome.INVALID_RESULT);
    assertThat(invalid.event()).isEmpty();
    assertThat(invalid.run().getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(invalid.run().getInvalidResultCount()).isEqualTo(1);
    assertThat(next.run().getGapCount()).isZero();
  }

  // ---- out of order, purity, determinism

  @Test
  void shouldStartViewWhenRecordArrivesBeforeRunCreated() {
    // given
    final LedgerRecord created = ledger.created();
    final LedgerRecord claim = ledger.claimed(1);

    // when
    final FoldResult early = scenario.when(claim);
    final FoldResult late = scenario.when(created);

    // then
    assertThat(early.run().getRunId()).isEqualTo("run-1");
    assertThat(early.run().getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(early.run().getEventId()).isNull();
    assertThat(late.run().getStatus()).isEqualTo(RunStatus.RUNNING);
    assertThat(late.run().getEventId()).isEqualTo("event-run-1");
    assertThat(late.run().getCreatedAt()).isEqualTo(created.getTimestamp());
  }

  @Test
  void shouldTakeUpdatedAtAndLastOffsetFromTheRecordWhenFolding() {
    // given
    final LedgerRecord created = ledger.created();

    // when
    final FoldResult result = RunFold.apply(null, created, 42L);

    // then
    assertThat(result.run().getUpdatedAt()).isEqualTo(created.getTimestamp());
    assertThat(result.run().getLastOffset()).isEqualTo(42L);
  }

  @Test
  void shouldLeaveCurrentViewUntouchedWhenFolding() {
    // given
    scenario.given(ledger.created(), ledger.claimed(1), ledger.delta(1, "a"));
    final AgentRun current = scenario.run;
    final AgentRun copy = AgentRun.newBuilder(current).build();

    // when
    RunFold.apply(current, ledger.completed(1), 99L);

    // then
    assertThat(current).isEqualTo(copy);
  }

  @Test
  void shouldProduceTheSameViewAndEventsWhenTheSameLedgerIsFoldedTwice() {
    // given
    final List<LedgerRecord> records =
        List.of(
            ledger.created(),
            ledger.claimed(1),
            ledger.delta(1, "a"),
            ledger.claimed(2),
            ledger.delta(1, "stale"),
            ledger.message(2, "b"),
            ledger.completed(2),
            ledger.failed(2, "late"));

    // when
    final Scenario live = new Scenario();
    final Scenario replay = new Scenario();
    records.forEach(live::when);
    records.forEach(replay::when);

    // then
    assertThat(replay.run).isEqualTo(live.run);
    assertThat(replay.events).isEqualTo(live.events);
  }

  /** Folds records in order, with offsets from 0, keeping the view and the appended events. */
  /** {@code record} as written at {@code at}. */
  private static LedgerRecord withTime(final LedgerRecord record, final Instant at) {
    return LedgerRecord.newBuilder(record).setTimestamp(at).build();
  }

  /** The run without what counts or locates its records (fewer records make those smaller). */
  private static AgentRun userFacing(final AgentRun run) {
    return AgentRun.newBuilder(run)
        .setResultCount(0)
        .setLastSequence(0)
        .setEventCount(0)
        .setAttempts(List.of())
        .setLastOffset(0)
        .build();
  }

  private static final class Scenario {
    private final List<AgentRunEvent> events = new ArrayList<>();
    private AgentRun run;
    private long offset;

    void given(final LedgerRecord... records) {
      for (final LedgerRecord record : records) {
        when(record);
      }
    }

    FoldResult when(final LedgerRecord record) {
      final FoldResult result = RunFold.apply(run, record, offset++);
      run = result.run();
      result.event().ifPresent(events::add);
      return result;
    }
  }
}
