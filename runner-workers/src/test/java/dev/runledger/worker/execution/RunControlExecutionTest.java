package dev.runledger.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ApiOutcome;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunLiveness;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringInjected;
import dev.runledger.avro.SteeringItem;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.HostApis;
import dev.runledger.worker.builtin.EchoRunner;
import dev.runledger.worker.claim.RunClaim;
import dev.runledger.worker.control.RunControl;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.HostApiFactory;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunAccess;
import dev.runledger.worker.spi.RunSession;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Cancel, steering, liveness, stalls and the host-API seam of {@link RunExecution}. */
class RunControlExecutionTest {
  private static final String RUN = "run-1";

  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
  private final Clock clock = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);
  private final RecordingAppender appender = new RecordingAppender(true);
  private final RunControl control = RunControl.empty();

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void shouldInjectQueuedItemsInClaimOrderAndListThemInTheTerminalWhenTheRunnerPulls() {
    // given
    control.apply(steer("e2", "second"));
    control.apply(steer("e1", "first"));
    control.apply(steer("e2", "second again")); // duplicate source event: ignored
    final AtomicReference<List<SteeringItem>> firstPull = new AtomicReference<>();
    final AtomicReference<List<SteeringItem>> secondPull = new AtomicReference<>();
    final RunExecution execution =
        execution(
            (context, session) -> {
              firstPull.set(session.pullOneSteering());
              secondPull.set(session.pullSteering());
              session.emit(Results.completed(Results.STOP, null));
            });

    // when
    execution.execute();

    // then
    assertThat(firstPull.get()).extracting(SteeringItem::getSourceEventId).containsExactly("e2");
    assertThat(secondPull.get()).extracting(SteeringItem::getSourceEventId).containsExactly("e1");
    assertThat(appender.types())
        .containsExactly("RunClaimed", "SteeringInjected", "SteeringInjected", "run.completed");
    assertThat(appender.records().subList(1, 3))
        .extracting(r -> ((SteeringInjected) r.getBody()).getSourceEventId())
        .containsExactly("e2", "e1");
    assertThat(((RunCompleted) lastResult().getPayload()).getPulledSteering())
        .containsExactly("e2", "e1");
  }

  @Test
  void shouldListPulledItemsInTheTerminalWhenTheWorkerEndsTheRun() {
    // given
    control.apply(steer("e1", "first"));
    final RunExecution execution =
        execution(
            (context, session) -> {
              session.pullSteering();
              throw new IllegalStateException("boom");
            });

    // when
    execution.execute();

    // then
    final RunFailed failed = (RunFailed) lastResult().getPayload();
    assertThat(failed.getCode()).isEqualTo(FailureCodes.RUNNER_ERROR);
    assertThat(failed.getPulledSteering()).containsExactly("e1");
  }

  @Test
  void shouldEndCancelledWithoutRunningWhenTheRunWasCancelledBeforeItStarted() {
    // given
    control.apply(cancel("requested", "api"));
    final AtomicBoolean ran = new AtomicBoolean();
    final RunExecution execution = execution((context, session) -> ran.set(true));

    // when
    execution.execute();

    // then
    assertThat(ran).isFalse();
    assertThat(appender.types()).containsExactly("RunClaimed", "run.failed");
    assertThat(((RunFailed) lastResult().getPayload()).getCode()).isEqualTo(FailureCodes.CANCELLED);
    assertThat(((RunClaimed) appender.records().get(0).getBody()).getPhase()).isNull();
  }

  @Test
  void shouldWriteNothingAndSettleAtOnceWhenSkipped() {
    // when
    final RunExecution skipped = RunExecution.skipped(claim(), context());
    skipped.execute();

    // then
    assertThat(appender.records()).isEmpty();
    assertThat(skipped.terminalAcknowledged()).isCompleted();
    assertThat(skipped.ended()).isTrue();
  }

  @Test
  void shouldFailRunnerStalledWhenTheRunnerProducesNothingForTheInactivityTimeout() {
    // given a runner that goes quiet while the worker's clock passes the inactivity timeout
    final ManualClock manual = new ManualClock(Fixtures.NOW);
    final RunExecution execution =
        RunExecution.of(
            claim(),
            new ScriptedRunner(
                (context, session) -> {
                  session.emit(Results.delta("a"));
                  manual.advance(Duration.ofMillis(301));
                  session.sleep(Duration.ofSeconds(30));
                }),
            context(manual, Duration.ofMillis(300), Duration.ofSeconds(1)));

    // when
    execution.execute();

    // then
    assertThat(appender.types())
        .containsExactly("RunClaimed", "message.delta", "RunLiveness", "run.failed");
    assertThat(((RunLiveness) appender.records().get(2).getBody()).getPhase())
        .isEqualTo(LivenessPhase.RUNNER_STALLED);
    assertThat(((RunFailed) lastResult().getPayload()).getCode())
        .isEqualTo(FailureCodes.RUNNER_STALLED);
  }

  @Test
  void shouldNotFailRunnerStalledWhenTheWorkersClockStandsStill() throws Exception {
    // given a runner that goes quiet for longer than the timeout in real time only
    final CountDownLatch quiet = new CountDownLatch(1);
    final RunExecution execution =
        RunExecution.of(
            claim(),
            new ScriptedRunner(
                (context, session) -> {
                  session.emit(Results.delta("a"));
                  quiet.await(600, TimeUnit.MILLISECONDS);
                  session.emit(Results.completed(Results.STOP, null));
                }),
            context(Duration.ofMillis(100), Duration.ofSeconds(1)));

    // when
    execution.execute();

    // then
    assertThat(appender.types()).containsExactly("RunClaimed", "message.delta", "run.completed");
  }

  @Test
  void shouldWriteALivenessRecordOnlyWhenThePhaseChanges() {
    // given
    final RunExecution execution =
        execution(
            (context, session) -> {
              session.liveness(LivenessPhase.WAITING_RUNNER);
              session.liveness(LivenessPhase.WAITING_MODEL);
              session.liveness(LivenessPhase.WAITING_MODEL);
              session.liveness(LivenessPhase.IDLE_AFTER_TOOL);
              session.emit(Results.completed(Results.STOP, null));
            });

    // when
    execution.execute();

    // then
    assertThat(appender.records())
        .filteredOn(r -> r.getBody() instanceof RunLiveness)
        .extracting(r -> ((RunLiveness) r.getBody()).getPhase())
        .containsExactly(LivenessPhase.WAITING_MODEL, LivenessPhase.IDLE_AFTER_TOOL);
    // waiting_runner is the claim's own phase, so reporting it again wrote nothing
    assertThat(((RunClaimed) appender.records().get(0).getBody()).getPhase())
        .isEqualTo(LivenessPhase.WAITING_RUNNER);
  }

  @Test
  void shouldLendTheFactoryTheAttemptsAccessWhenTheRunnerCallsTheHostApi() {
    // given
    final AtomicReference<RunAccess> lent = new AtomicReference<>();
    final HostApiFactory factory =
        access -> {
          lent.set(access);
          return (method, params) -> {
            access.audit(
                HostApiCall.newBuilder()
                    .setAction(method)
                    .setOutcome(ApiOutcome.DENIED)
                    .setErrorCode(AgentApiException.UNAUTHORIZED)
                    .build());
            throw new AgentApiException(AgentApiException.UNAUTHORIZED, "no");
          };
        };
    final AtomicReference<String> code = new AtomicReference<>();
    final RunExecution execution =
        RunExecution.of(
            claim(),
            new ScriptedRunner(
                (context, session) -> {
                  try {
                    session.hostApi().call("state_get", TextNode.valueOf("x"));
                  } catch (final AgentApiException e) {
                    code.set(e.code());
                  }
                  session.emit(Results.completed(Results.STOP, null));
                }),
            new WorkerContext(
                "worker-a",
                appender,
                clock,
                timer,
                control,
                factory,
                Duration.ofMinutes(2),
                Duration.ofSeconds(1),
                Duration.ZERO));

    // when
    execution.execute();

    // then
    assertThat(code.get()).isEqualTo(AgentApiException.UNAUTHORIZED);
    assertThat(appender.types()).containsExactly("RunClaimed", "HostApiCall", "run.completed");
    assertThat(lent.get().attempt()).isEqualTo(2);
    assertThat(lent.get().snapshot().getRunId()).isEqualTo(RUN);
    assertThat(lent.get().context().getRuntime().getAttempt()).isEqualTo(2);
    assertThat(lent.get().active()).isFalse();
  }

  @Test
  void shouldFailNotFoundWhenTheWorkerHasNoHostApi() {
    assertThatThrownBy(
            () -> HostApis.unavailable().forRun(null).call("history_page", TextNode.valueOf("x")))
        .isInstanceOf(AgentApiException.class)
        .extracting(e -> ((AgentApiException) e).code())
        .isEqualTo(AgentApiException.NOT_FOUND);
  }

  @Test
  void shouldCancelARunningRunWhenACancelArrivesOnRunControl() {
    // given
    final RunExecution execution =
        execution((context, session) -> session.sleep(Duration.ofSeconds(30)));
    control.onCancel((runId, cancel) -> execution.cancel(RunExecution.describe(cancel)));
    final Thread thread = new Thread(execution::execute);
    thread.start();
    await().until(() -> appender.types().size() == 1);

    // when
    control.apply(cancel("requested", "api"));

    // then
    await().until(execution::ended);
    final RunFailed failed = (RunFailed) lastResult().getPayload();
    assertThat(failed.getCode()).isEqualTo(FailureCodes.CANCELLED);
    assertThat(failed.getError()).contains("requested (requested by api)");
  }

  @Test
  void shouldMergeConsecutiveDeltasIntoOneRecordWhenTheyComeWithinTheWindow() {
    // when
    streamHello(session -> session.emit(Results.completed(Results.STOP, null)));

    // then
    assertThat(appender.types()).containsExactly("RunClaimed", "message.delta", "run.completed");
    assertThat(deltaText(appender.records().get(1))).isEqualTo("hello");
  }

  @Test
  void shouldWriteNoDeltaItsCompletedMessageRepeatsWhenItCameWithinTheWindow() {
    // when
    streamHello(
        session -> {
          session.emit(Results.messageCompleted("hello"));
          session.emit(Results.delta("!"));
          session.emit(Results.completed(Results.STOP, null));
        });

    // then the merged "hello" is left out; the "!" no message repeats is written
    assertThat(appender.types())
        .containsExactly("RunClaimed", "message.completed", "message.delta", "run.completed");
    assertThat(deltaText(appender.records().get(2))).isEqualTo("!");
  }

  @Test
  void shouldWriteTheClaimTheMessageAndTheTerminalForAOneTurnEchoWhenItsDeltasComeInTheWindow() {
    // given the echo runner, its deltas and message within the window
    final RunExecution execution =
        RunExecution.of(
            new RunClaim(
                RUN,
                1,
                Fixtures.startRun(
                    RUN, EchoRunner.RUNNER_ID, "hello", "{}", Fixtures.NOW.plusSeconds(3600))),
            new EchoRunner("test"),
            coalescing(Duration.ofMinutes(1)));

    // when
    execution.execute();

    // then three records of the worker (with the orchestrator's RunCreated, four in the ledger)
    assertThat(appender.types())
        .containsExactly("RunClaimed", "message.completed", "run.completed");
    assertThat(((RunClaimed) appender.records().get(0).getBody()).getPhase())
        .isEqualTo(LivenessPhase.WAITING_RUNNER);
  }

  /**
   * Runs an attempt that streams "he", "ll", "o" within a minute's window, then does {@code rest}.
   */
  private void streamHello(final Consumer<RunSession> rest) {
    RunExecution.of(
            claim(),
            new ScriptedRunner(
                (context, session) -> {
                  session.emit(Results.delta("he"));
                  session.emit(Results.delta("ll"));
                  session.emit(Results.delta("o"));
                  rest.accept(session);
                }),
            coalescing(Duration.ofMinutes(1)))
        .execute();
  }

  @Test
  void shouldWriteAHeldDeltaWhenTheWindowPasses() {
    // given
    final RunExecution execution =
        RunExecution.of(
            claim(),
            new ScriptedRunner(
                (context, session) -> {
                  session.emit(Results.delta("a"));
                  await().until(() -> appender.types().contains("message.delta"));
                  session.emit(Results.completed(Results.STOP, null));
                }),
            coalescing(Duration.ofMillis(20)));

    // when
    execution.execute();

    // then
    assertThat(appender.types()).containsExactly("RunClaimed", "message.delta", "run.completed");
  }

  @Test
  void shouldForgetTheLeastRecentlyUsedRunsWhenOverItsBound() {
    // given
    final RunControl bounded = new RunControl(2, 1);

    // when
    bounded.apply(cancelOf("a"));
    bounded.apply(cancelOf("b"));
    bounded.apply(cancelOf("c"));
    bounded.apply(steer("e1", "x"));
    bounded.apply(steer("e2", "y"));

    // then
    assertThat(bounded.cancellation("a")).isEmpty();
    assertThat(bounded.steering(RUN, 0))
        .extracting(SteeringItem::getSourceEventId)
        .containsExactly("e1");
    assertThat(bounded.size()).isEqualTo(2);
  }

  private RunExecution execution(final ScriptedRunner.Script script) {
    return RunExecution.of(claim(), new ScriptedRunner(script), context());
  }

  private WorkerContext context() {
    return context(Duration.ofMinutes(2), Duration.ofSeconds(1));
  }

  private WorkerContext context(final Duration inactivity, final Duration grace) {
    return context(clock, inactivity, grace);
  }

  private WorkerContext context(
      final Clock workerClock, final Duration inactivity, final Duration grace) {
    return new WorkerContext(
        "worker-a",
        appender,
        workerClock,
        timer,
        control,
        HostApis.unavailable(),
        inactivity,
        grace,
        Duration.ZERO);
  }

  private WorkerContext coalescing(final Duration window) {
    return new WorkerContext(
        "worker-a",
        appender,
        clock,
        timer,
        control,
        HostApis.unavailable(),
        Duration.ofMinutes(2),
        Duration.ofSeconds(1),
        window);
  }

  private static String deltaText(final LedgerRecord record) {
    return ((MessageDelta) ((AgentRunResult) record.getBody()).getPayload())
        .getChunk()
        .getContent();
  }

  private static RunClaim claim() {
    return new RunClaim(
        RUN,
        2,
        Fixtures.startRun(
            RUN, ScriptedRunner.RUNNER_ID, "hello", "{}", Fixtures.NOW.plusSeconds(3600)));
  }

  private AgentRunResult lastResult() {
    final List<LedgerRecord> records = appender.records();
    return (AgentRunResult) records.get(records.size() - 1).getBody();
  }

  private static RunCommand steer(final String eventId, final String text) {
    return RunCommand.newBuilder()
        .setRunId(RUN)
        .setKind(
            SteerRun.newBuilder()
                .setItem(
                    SteeringItem.newBuilder()
                        .setSourceEventId(eventId)
                        .setClaimedRunId(RUN)
                        .setRunnerId(ScriptedRunner.RUNNER_ID)
                        .setClaimedAt(Fixtures.NOW)
                        .setInput(EventInput.newBuilder().setText(text).build())
                        .build())
                .build())
        .build();
  }

  private static RunCommand cancel(final String reason, final String by) {
    return RunCommand.newBuilder()
        .setRunId(RUN)
        .setKind(CancelRun.newBuilder().setReason(reason).setRequestedBy(by).build())
        .build();
  }

  private static RunCommand cancelOf(final String runId) {
    return RunCommand.newBuilder()
        .setRunId(runId)
        .setKind(CancelRun.newBuilder().setReason("r").setRequestedBy("api").build())
        .build();
  }
}
