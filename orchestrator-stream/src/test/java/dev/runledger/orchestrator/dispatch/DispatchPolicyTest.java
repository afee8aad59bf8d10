package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.Capabilities;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.OnUnpulled;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunNoticeKind;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringDropped;
import dev.runledger.avro.SteeringQueued;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.CancelMarks;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Given a conversation's state, when an event, notice or deadline arrives, expect the effects. */
class DispatchPolicyTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:10Z");
  private static final String KEY = "ws1/bot1/c1/";
  private static final String B = "b1";

  private final Map<String, AgentBinding> bindings = new HashMap<>();
  private final RunnerManifest steering =
      manifest(Fixtures.ECHO, "default")
          .setCapabilities(Capabilities.newBuilder().setSteering(true).build())
          .build();
  private final RunnerManifest plain = manifest(Fixtures.ECHO, "default").build();
  private RunnerManifest runner = plain;
  private static final int LIMIT = 65_536;
  private static final Topic<String, RunCommand> COMMANDS =
      LedgerTopics.create(LedgerConfig.of(Map.of())).runControl();
  private final DispatchPolicy policy =
      new DispatchPolicy(
          new RunDecider(Set.of("default"), c -> COMMANDS.encodedSize(c.getRunId(), c), LIMIT),
          (workspace, id) ->
              Optional.ofNullable(bindings.get(id))
                  .filter(b -> Fixtures.WORKSPACE.equals(workspace)),
          id -> Optional.of(runner));
  private final Conversation state = new Conversation();

  private AgentBinding bind(final DispatchMode mode) {
    final AgentBinding.Builder builder = binding(B, Fixtures.ECHO);
    builder.getDispatchPolicyBuilder().setMode(mode);
    final AgentBinding binding = builder.build();
    bindings.put(B, binding);
    return binding;
  }

  private Effects send(final String eventId) {
    return send(event(eventId).build());
  }

  private Effects send(final HostEvent event) {
    final AgentBinding binding = bindings.get(B);
    return policy.onEvent(state, event, Resolution.matched(binding, runner), NOW);
  }

  private Effects notice(final String eventId, final RunNoticeKind kind, final String... pulled) {
    return policy.onNotice(
        state,
        KEY,
        RunNotice.newBuilder()
            .setRunId(RunIds.runId(Fixtures.WORKSPACE, eventId, B))
            .setKind(kind)
            .setPulledSteering(List.of(pulled))
            .setReason(kind == RunNoticeKind.CANCEL ? "requested" : null)
            .setRequestedBy(kind == RunNoticeKind.CANCEL ? "api" : null)
            .build(),
        NOW);
  }

  private static String run(final String eventId) {
    return RunIds.runId(Fixtures.WORKSPACE, eventId, B);
  }

  private static DispatchDecision only(final Effects effects) {
    assertThat(effects.decisions()).hasSize(1);
    return effects.decisions().get(0);
  }

  private static List<Class<?>> bodies(final Effects effects) {
    final List<Class<?>> classes = new java.util.ArrayList<>();
    effects.ledger().forEach(r -> classes.add(r.getBody().getClass()));
    return classes;
  }

  @Test
  void shouldCreateARunWhenTheConversationIsIdle() {
    // given
    bind(DispatchMode.ENQUEUE);

    // when
    final Effects effects = send("e1");

    // then
    assertThat(only(effects).getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(effects.starts())
        .extracting(RunDecider.CreatedRun::runId)
        .containsExactly(run("e1"));
    assertThat(effects.deadlinesAdded()).hasSize(1);
    assertThat(state.lane(B).orElseThrow().getActiveRunId()).isEqualTo(run("e1"));
  }

  @Test
  void shouldSteerByDefaultWhenTheRunnerCanSteer() {
    // given
    runner = steering;
    bind(null);
    send("e1");

    // when
    final Effects effects = send("e2");

    // then
    final DispatchDecision decision = only(effects);
    assertThat(decision.getDecision()).isEqualTo(Decision.STEERED);
    assertThat(decision.getRunId()).isEqualTo(run("e1"));
    final LedgerRecord queued = effects.ledger().get(0);
    assertThat(queued.getBody()).isInstanceOf(SteeringQueued.class);
    assertThat(queued.getRunId()).isEqualTo(run("e1"));
    assertThat(queued.getAttempt()).isZero();
    assertThat(queued.getSequence()).isEqualTo(2);
    assertThat(effects.control())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getRunId()).isEqualTo(run("e1"));
              assertThat(c.getKind()).isInstanceOf(SteerRun.class);
            });
    assertThat(effects.starts()).isEmpty();
  }

  @Test
  void shouldEnqueueByDefaultWhenTheRunnerCannotSteer() {
    // given
    bind(null);
    send("e1");

    // when
    final Effects effects = send("e2");

    // then
    final DispatchDecision decision = only(effects);
    assertThat(decision.getDecision()).isEqualTo(Decision.ENQUEUED);
    assertThat(decision.getRunId()).isEqualTo(run("e2"));
    assertThat(effects.ledger()).isEmpty();
    assertThat(effects.starts()).isEmpty();
  }

  @Test
  void shouldFallBackToEnqueueWhenTheSteeringQueueIsFull() {
    // given
    runner = steering;
    final AgentBinding.Builder builder = binding(B, Fixtures.ECHO).setMaxSteeringQueue(1);
    bindings.put(B, builder.build());
    send("e1");
    send("e2");

    // when
    final Effects effects = send("e3");

    // then
    assertThat(only(effects).getDecision()).isEqualTo(Decision.ENQUEUED);
  }

  @Test
  void shouldRejectAsQueueFullWhenTheFifoIsFull() {
    // given
    final AgentBinding.Builder builder = binding(B, Fixtures.ECHO);
    builder.getDispatchPolicyBuilder().setMode(DispatchMode.ENQUEUE).setMaxQueue(1);
    bindings.put(B, builder.build());
    send("e1");
    send("e2");

    // when
    final DispatchDecision decision = only(send("e3"));

    // then
    assertThat(decision.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(decision.getReason()).isEqualTo(DispatchPolicy.QUEUE_FULL);
  }

  @Test
  void shouldRejectAsBusyWhenReject() {
    // given
    bind(DispatchMode.REJECT);
    send("e1");

    // when
    final DispatchDecision decision = only(send("e2"));

    // then
    assertThat(decision.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(decision.getReason()).isEqualTo(DispatchPolicy.CONVERSATION_BUSY);
    assertThat(decision.getBindingId()).isEqualTo(B);
  }

  @Test
  void shouldStartAtOnceAndKeepNothingWhenParallel() {
    // given
    bind(DispatchMode.PARALLEL);
    send("e1");

    // when
    final Effects effects = send("e2");

    // then: the run tracker holds the run, marked so by its RunCreated; no deadline here
    assertThat(only(effects).getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(effects.starts()).hasSize(1);
    assertThat(bodies(effects)).containsExactly(RunCreated.class);
    assertThat(effects.startsLaneless(effects.ledger().get(0))).isTrue();
    assertThat(effects.deadlinesAdded()).isEmpty();
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  void shouldMarkOnlyTheRunCreatedOfARunWithoutALane() {
    // given
    bind(DispatchMode.ENQUEUE);

    // when
    final Effects inLane = send("e1");
    final Effects alone = send(event("e2").setConversationId(null).build());

    // then
    assertThat(inLane.startsLaneless(inLane.ledger().get(0))).isFalse();
    assertThat(inLane.deadlinesAdded()).hasSize(1);
    assertThat(alone.startsLaneless(alone.ledger().get(0))).isTrue();
    assertThat(state.getRuns()).extracting(Conversation.Run::getRunId).containsExactly(run("e1"));
  }

  @Test
  void shouldTreatEventsWithoutAConversationAsParallel() {
    // given
    bind(DispatchMode.REJECT);
    send(event("e1").setConversationId(null).build());

    // when
    final Effects effects = send(event("e2").setConversationId(null).build());

    // then
    assertThat(only(effects).getDecision()).isEqualTo(Decision.RUN_CREATED);
  }

  @Test
  void shouldCancelTheActiveRunAndQueueTheNewEventWhenInterrupt() {
    // given
    bind(DispatchMode.INTERRUPT);
    send("e1");
    notice("e1", RunNoticeKind.CLAIMED);

    // when
    final Effects effects = send("e2");

    // then
    assertThat(only(effects).getDecision()).isEqualTo(Decision.ENQUEUED);
    assertThat(bodies(effects)).containsExactly(CancelRequested.class);
    final CancelRequested requested = (CancelRequested) effects.ledger().get(0).getBody();
    assertThat(requested.getReason()).isEqualTo(DispatchPolicy.SUPERSEDED);
    assertThat(effects.control())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getRunId()).isEqualTo(run("e1"));
              assertThat(((CancelRun) c.getKind()).getReason())
                  .isEqualTo(DispatchPolicy.SUPERSEDED);
            });
    assertThat(effects.starts()).isEmpty();
  }

  @Test
  void shouldOnlyRecordTheCancelOfADispatchedRunEvenWhenNoClaimIsKnown() {
    // given: a worker may have claimed e1 without the tracker knowing yet
    bind(DispatchMode.INTERRUPT);
    send("e1");

    // when
    final Effects effects = send("e2");

    // then
    assertThat(bodies(effects)).containsExactly(CancelRequested.class);
    assertThat(effects.ledger()).extracting(LedgerRecord::getSequence).containsExactly(2L);
    assertThat(effects.control())
        .singleElement()
        .satisfies(c -> assertThat(effects.cancelMark(c)).contains(CancelMarks.REQUESTED));
  }

  @Test
  void shouldEndARunSupersededAsItIsCreatedWithoutDispatchingIt() {
    // given: e2 and e3 wait behind e1
    bind(DispatchMode.INTERRUPT);
    send("e1");
    send("e2");
    send("e3");

    // when
    final Effects effects = notice("e1", RunNoticeKind.ENDED);

    // then: e2's run is created, cancelled and ended in one step, e3's run starts
    final List<LedgerRecord> e2 =
        effects.ledger().stream().filter(r -> r.getRunId().equals(run("e2"))).toList();
    assertThat(e2)
        .extracting(r -> (Object) r.getBody().getClass())
        .containsExactly(RunCreated.class, CancelRequested.class, AgentRunResult.class);
    assertThat(e2).extracting(LedgerRecord::getSequence).containsExactly(1L, 2L, 3L);
    final RunFailed failed = (RunFailed) ((AgentRunResult) e2.get(2).getBody()).getPayload();
    assertThat(failed.getCode()).isEqualTo(DispatchPolicy.CANCELLED);
    assertThat(effects.starts())
        .extracting(RunDecider.CreatedRun::runId)
        .containsExactly(run("e3"));
    assertThat(effects.control()).isEmpty();
    assertThat(state.run(run("e2"))).isEmpty();
  }

  @Test
  void shouldStartTheQueuedRunWhenTheActiveOneEnds() {
    // given
    bind(DispatchMode.ENQUEUE);
    send("e1");
    send("e2");

    // when
    final Effects effects = notice("e1", RunNoticeKind.ENDED);

    // then
    assertThat(effects.decisions()).isEmpty();
    assertThat(effects.starts())
        .extracting(RunDecider.CreatedRun::runId)
        .containsExactly(run("e2"));
    final RunCreated created = (RunCreated) effects.starts().get(0).created().getBody();
    assertThat(created.getDecision()).isEqualTo(Decision.ENQUEUED);
    assertThat(effects.deadlinesRemoved())
        .extracting(Effects.Deadline::runId)
        .containsExactly(run("e1"));
    assertThat(state.lane(B).orElseThrow().getActiveRunId()).isEqualTo(run("e2"));
  }

  @Test
  void shouldDropTheLaneWhenTheLastRunEnds() {
    // given
    bind(DispatchMode.ENQUEUE);
    send("e1");

    // when
    notice("e1", RunNoticeKind.ENDED);

    // then
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  void shouldRecordDroppedSteeringAndStartAFollowUpWhenTheRunDidNotPullIt() {
    // given
    runner = steering;
    bind(DispatchMode.STEER);
    send("e1");
    send("e2");
    send("e3");

    // when: the run pulled e2 only
    final Effects effects = notice("e1", RunNoticeKind.ENDED, "e2");

    // then
    assertThat(bodies(effects)).containsExactly(SteeringDropped.class, RunCreated.class);
    final SteeringDropped dropped = (SteeringDropped) effects.ledger().get(0).getBody();
    assertThat(dropped.getSourceEventId()).isEqualTo("e3");
    assertThat(dropped.getReason()).isEqualTo(DispatchPolicy.RUN_ENDED);
    assertThat(effects.ledger().get(0).getSequence()).isEqualTo(4);
    final DispatchDecision followUp = only(effects);
    assertThat(followUp.getEventId()).isEqualTo("e3");
    assertThat(followUp.getDecision()).isEqualTo(Decision.FOLLOWUP);
    assertThat(followUp.getRunId()).isEqualTo(run("e3"));
    assertThat(effects.starts())
        .extracting(RunDecider.CreatedRun::runId)
        .containsExactly(run("e3"));
  }

  @Test
  void shouldOnlyDropUnpulledSteeringWhenOnUnpulledDrop() {
    // given
    runner = steering;
    final AgentBinding.Builder builder = binding(B, Fixtures.ECHO);
    builder.getDispatchPolicyBuilder().setMode(DispatchMode.STEER).setOnUnpulled(OnUnpulled.DROP);
    bindings.put(B, builder.build());
    send("e1");
    send("e2");

    // when
    final Effects effects = notice("e1", RunNoticeKind.ENDED);

    // then
    assertThat(bodies(effects)).containsExactly(SteeringDropped.class);
    assertThat(effects.decisions()).isEmpty();
    assertThat(effects.starts()).isEmpty();
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  void shouldRunFollowUpsBeforeQueuedEvents() {
    // given: e2 steered, then the steering queue is full and e3 is enqueued
    runner = steering;
    bindings.put(B, binding(B, Fixtures.ECHO).setMaxSteeringQueue(1).build());
    send("e1");
    send("e2");
    send("e3");

    // when
    final Effects ended = notice("e1", RunNoticeKind.ENDED);
    final Effects next = notice("e2", RunNoticeKind.ENDED);

    // then
    assertThat(ended.starts()).extracting(RunDecider.CreatedRun::runId).containsExactly(run("e2"));
    assertThat(next.starts()).extracting(RunDecider.CreatedRun::runId).containsExactly(run("e3"));
  }

  @Test
  void shouldRejectAnEventWhoseStartRunIsOverTheRecordLimitAndOpenNoLane() {
    // given
    bind(DispatchMode.ENQUEUE);

    // when
    final Effects effects = send(large("e1"));

    // then
    final DispatchDecision decision = only(effects);
    assertThat(decision.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(decision.getReason()).isEqualTo(RunDecider.PAYLOAD_TOO_LARGE);
    assertThat(effects.starts()).isEmpty();
    assertThat(effects.ledger()).isEmpty();
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  void shouldRejectAQueuedEventWhoseStartRunIsOverTheRecordLimitWhenItsTurnComes() {
    // given
    bind(DispatchMode.ENQUEUE);
    send("e1");
    send(large("e2"));
    send("e3");

    // when
    final Effects effects = notice("e1", RunNoticeKind.ENDED);

    // then: e2 is rejected and the lane goes on with e3
    final DispatchDecision decision = only(effects);
    assertThat(decision.getEventId()).isEqualTo("e2");
    assertThat(decision.getReason()).isEqualTo(RunDecider.PAYLOAD_TOO_LARGE);
    assertThat(effects.starts())
        .extracting(RunDecider.CreatedRun::runId)
        .containsExactly(run("e3"));
  }

  private static HostEvent large(final String eventId) {
    return event(eventId)
        .setInput(EventInput.newBuilder().setText("x".repeat(LIMIT)).build())
        .build();
  }

  @Test
  void shouldRejectAQueuedEventWhoseBindingWasRemoved() {
    // given
    bind(DispatchMode.ENQUEUE);
    send("e1");
    send("e2");
    bindings.clear();

    // when
    final Effects effects = notice("e1", RunNoticeKind.ENDED);

    // then
    final DispatchDecision decision = only(effects);
    assertThat(decision.getEventId()).isEqualTo("e2");
    assertThat(decision.getReason()).isEqualTo(DispatchPolicy.BINDING_REMOVED);
    assertThat(effects.starts()).isEmpty();
    assertThat(state.isEmpty()).isTrue();
  }

  @Test
  void shouldRecordACancelRequestAndRelayItToWorkersInOneStep() {
    // given
    bind(DispatchMode.ENQUEUE);
    send("e1");

    // when
    final Effects effects = notice("e1", RunNoticeKind.CANCEL);

    // then: no terminal of its own; the worker that holds or claims the run ends it
    assertThat(bodies(effects)).containsExactly(CancelRequested.class);
    assertThat(((CancelRequested) effects.ledger().get(0).getBody()).getRequestedBy())
        .isEqualTo("api");
    assertThat(effects.control())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(((CancelRun) c.getKind()).getRequestedBy()).isEqualTo("api");
              assertThat(effects.cancelMark(c)).contains(CancelMarks.REQUESTED);
            });
  }

  @Test
  void shouldOnlyRecordTheRequestWhenTheCancelledRunIsClaimed() {
    // given
    bind(DispatchMode.ENQUEUE);
    send("e1");
    notice("e1", RunNoticeKind.CLAIMED);

    // when
    final Effects effects = notice("e1", RunNoticeKind.CANCEL);
    final Effects again = notice("e1", RunNoticeKind.CANCEL);

    // then
    assertThat(bodies(effects)).containsExactly(CancelRequested.class);
    assertThat(again.ledger()).isEmpty();
  }

  @Test
  void shouldIgnoreNoticesForRunsItDoesNotHold() {
    // when
    final Effects effects = notice("zzz", RunNoticeKind.ENDED);

    // then
    assertThat(effects.ledger()).isEmpty();
    assertThat(effects.decisions()).isEmpty();
  }

  @Test
  void shouldTimeOutOnceAndCancelWhenTheDeadlinePasses() {
    // given
    bind(DispatchMode.ENQUEUE);
    send("e1");

    // when
    final Effects effects = policy.onDeadline(state, KEY, run("e1"), NOW.plusSeconds(700));
    final Effects again = policy.onDeadline(state, KEY, run("e1"), NOW.plusSeconds(701));

    // then
    assertThat(bodies(effects)).containsExactly(RunTimedOut.class);
    assertThat(effects.control())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(((CancelRun) c.getKind()).getReason()).isEqualTo(DispatchPolicy.TIMEOUT);
              assertThat(effects.cancelMark(c)).contains(CancelMarks.ENDED);
            });
    assertThat(again.ledger()).isEmpty();
    assertThat(again.control()).isEmpty();
  }

  @Test
  void shouldKeepTheStateAcrossAStoreRoundTrip() {
    // given
    runner = steering;
    bind(DispatchMode.STEER);
    send("e1");
    send("e2");
    notice("e1", RunNoticeKind.CLAIMED);

    // when
    final Conversation restored = Conversation.from(state.toState());

    // then
    assertThat(restored.toState()).isEqualTo(state.toState());
    assertThat(restored.run(run("e1")).orElseThrow().getClaimed()).isTrue();
    assertThat(restored.run(run("e1")).orElseThrow().getNextSequence()).isEqualTo(3);
    assertThat(restored.lane(B).orElseThrow().getSteered())
        .extracting(HostEvent::getEventId)
        .containsExactly("e2");
  }
}
