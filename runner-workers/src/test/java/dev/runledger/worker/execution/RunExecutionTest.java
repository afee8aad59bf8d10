package dev.runledger.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.Fixtures;
import dev.runledger.worker.claim.RunClaim;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.Results;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunExecutionTest {
  private static final String RUN = "run-1";
  private static final String WORKER = "worker-a";

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Clock clock = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);
  private final RecordingAppender appender = new RecordingAppender(true);

  @AfterEach
  void stopTimer() {
    timer.shutdownNow();
  }

  @Test
  void shouldAppendClaimThenResultsThenTerminalInSequenceWhenRunnerCompletes() {
    // given
    final RunExecution execution =
        execution(
            3,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> {
              session.emit(Results.delta("he"));
              session.emit(Results.delta("llo"));
              session.emit(Results.messageCompleted("hello"));
              session.emit(Results.completed(Results.STOP, Results.assistant("hello")));
            });

    // when
    execution.execute();

    // then
    assertThat(appender.types())
        .containsExactly(
            "RunClaimed", "message.delta", "message.delta", "message.completed", "run.completed");
    final List<LedgerRecord> records = appender.records();
    assertThat(records).extracting(LedgerRecord::getSequence).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(records).allSatisfy(r -> assertThat(r.getAttempt()).isEqualTo(3));
    assertThat(records).allSatisfy(r -> assertThat(r.getRunId()).isEqualTo(RUN));
    assertThat(records).allSatisfy(r -> assertThat(r.getProducer()).isEqualTo(WORKER));
    assertThat(records).allSatisfy(r -> assertThat(r.getConversationKey()).isEqualTo("ws/bot/c1/"));
    assertThat(records).allSatisfy(r -> assertThat(r.getTimestamp()).isEqualTo(Fixtures.NOW));
    // the claim carries the first liveness phase: no RunLiveness of its own
    assertThat((RunClaimed) records.get(0).getBody())
        .isEqualTo(
            RunClaimed.newBuilder()
                .setWorkerId(WORKER)
                .setAttempt(3)
                .setPhase(LivenessPhase.WAITING_RUNNER)
                .build());
    assertThat(execution.terminalAcknowledged()).isCompleted();
  }

  @Test
  void shouldShowTheClaimsAttemptToTheRunnerWhenItRuns() {
    // given
    final AtomicReference<Integer> seen = new AtomicReference<>();
    final RunExecution execution =
        execution(
            2,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> {
              seen.set(context.getRuntime().getAttempt());
              session.emit(Results.completed(Results.STOP, null));
            });

    // when
    execution.execute();

    // then
    assertThat(seen.get()).isEqualTo(2);
  }

  @Test
  void shouldFailWithRunnerErrorWhenRunnerThrows() {
    // given
    final RunExecution execution =
        execution(
            1,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> {
              session.emit(Results.delta("partial"));
              throw new IllegalStateException("model exploded");
            });

    // when
    execution.execute();

    // then
    assertThat(appender.types()).containsExactly("RunClaimed", "message.delta", "run.failed");
    assertThat(failure())
        .isEqualTo(
            RunFailed.newBuilder()
                .setCode(FailureCodes.RUNNER_ERROR)
                .setError("IllegalStateException: model exploded")
                .setRetryable(false)
                .build());
  }

  @Test
  void shouldFailWithNoOutputWhenRunnerReturnsWithoutTerminal() {
    // given
    final RunExecution execution =
        execution(
            1,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> session.emit(Results.delta("x")));

    // when
    execution.execute();

    // then
    assertThat(appender.types()).containsExactly("RunClaimed", "message.delta", "run.failed");
    assertThat(failure().getCode()).isEqualTo(FailureCodes.NO_OUTPUT);
  }

  @Test
  void shouldIgnoreResultsWhenEmittedAfterTheTerminal() {
    // given
    final RunExecution execution =
        execution(
            1,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> {
              session.emit(Results.completed(Results.STOP, null));
              session.emit(Results.delta("late"));
              session.emit(Results.failed("runner.error", "second terminal", false));
              throw new IllegalStateException("after the end");
            });

    // when
    execution.execute();

    // then
    assertThat(appender.types()).containsExactly("RunClaimed", "run.completed");
    assertThat(appender.records()).extracting(LedgerRecord::getSequence).containsExactly(1L, 2L);
  }

  @Test
  void shouldFailWithDeadlineExceededAndStopTheRunnerWhenTheDeadlinePasses() {
    // given
    final AtomicBoolean runnerSawCancel = new AtomicBoolean();
    final RunExecution execution =
        execution(
            1,
            Fixtures.NOW.plusMillis(200),
            (context, session) -> {
              session.emit(Results.delta("thinking"));
              runnerSawCancel.set(!session.sleep(Duration.ofSeconds(30)));
              session.emit(Results.completed(Results.STOP, null));
            });

    // when
    final long started = System.nanoTime();
    execution.execute();

    // then
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(runnerSawCancel).isTrue();
    assertThat(appender.types()).containsExactly("RunClaimed", "message.delta", "run.failed");
    assertThat(failure().getCode()).isEqualTo(FailureCodes.DEADLINE_EXCEEDED);
  }

  @Test
  void shouldFailWithDeadlineExceededWithoutRunningWhenTheDeadlineHasAlreadyPassed() {
    // given
    final AtomicBoolean ran = new AtomicBoolean();
    final RunExecution execution =
        execution(1, Fixtures.NOW.minusSeconds(1), (context, session) -> ran.set(true));

    // when
    execution.execute();

    // then
    assertThat(ran).isFalse();
    assertThat(appender.types()).containsExactly("RunClaimed", "run.failed");
    assertThat(failure().getCode()).isEqualTo(FailureCodes.DEADLINE_EXCEEDED);
    assertThat(claimPhase()).as("no phase: the runner never waits").isNull();
  }

  @Test
  void shouldEndCancelledAtOnceWhenCancelledEvenIfTheRunnerIgnoresIt() throws Exception {
    // given a runner that ignores cancellation and interrupts
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final RunExecution execution =
        execution(
            1,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> {
              started.countDown();
              while (true) {
                try {
                  if (release.await(10, TimeUnit.SECONDS)) {
                    break;
                  }
                } catch (final InterruptedException e) {
                  // ignores the interrupt on purpose
                }
              }
              session.emit(Results.delta("too late"));
            });
    final CompletableFuture<Void> running = CompletableFuture.runAsync(execution::execute);
    started.await();

    // when
    execution.cancel("requested");

    // then the terminal is written before the runner returns
    await().atMost(Duration.ofSeconds(5)).until(() -> execution.terminalAcknowledged().isDone());
    assertThat(running).isNotDone();
    assertThat(appender.types()).containsExactly("RunClaimed", "run.failed");
    assertThat(failure().getCode()).isEqualTo(FailureCodes.CANCELLED);
    release.countDown();
    running.get(5, TimeUnit.SECONDS);
    assertThat(appender.types()).containsExactly("RunClaimed", "run.failed");
  }

  @Test
  void shouldAcknowledgeTheTerminalOnlyWhenTheBrokerAcknowledgedEveryRecord() {
    // given
    final RecordingAppender slow = new RecordingAppender(false);
    final RunExecution execution =
        RunExecution.of(
            claim(1, Fixtures.NOW.plusSeconds(60)),
            new ScriptedRunner(
                (context, session) -> session.emit(Results.completed(Results.STOP, null))),
            new WorkerContext(WORKER, slow, clock, timer));

    // when
    execution.execute();

    // then
    assertThat(slow.types()).containsExactly("RunClaimed", "run.completed");
    assertThat(execution.terminalAcknowledged()).isNotDone();
    slow.acknowledgeAll();
    assertThat(execution.terminalAcknowledged()).isCompleted();
  }

  @Test
  void shouldFailTheTerminalAcknowledgementWhenAnEarlierAppendFails() {
    // given
    final RecordingAppender slow = new RecordingAppender(false);
    final RunExecution execution =
        RunExecution.of(
            claim(1, Fixtures.NOW.plusSeconds(60)),
            new ScriptedRunner(
                (context, session) -> session.emit(Results.completed(Results.STOP, null))),
            new WorkerContext(WORKER, slow, clock, timer));
    execution.execute();

    // when the claim record fails and the terminal succeeds
    slow.fail(0, new IllegalStateException("broker said no"));
    slow.acknowledgeAll();

    // then
    assertThat(execution.terminalAcknowledged()).isCompletedExceptionally();
  }

  @Test
  void shouldWriteNoTerminalWhenTheAttemptIsAbandoned() throws Exception {
    // given
    final CountDownLatch started = new CountDownLatch(1);
    final RunExecution execution =
        execution(
            1,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> {
              started.countDown();
              session.sleep(Duration.ofSeconds(30));
              session.emit(Results.completed(Results.STOP, null));
            });
    final CompletableFuture<Void> running = CompletableFuture.runAsync(execution::execute);
    started.await();

    // when
    execution.abandon("lease lost");

    // then
    running.get(5, TimeUnit.SECONDS);
    assertThat(appender.types()).containsExactly("RunClaimed");
    assertThat(execution.terminalAcknowledged()).isCompletedExceptionally();
  }

  @Test
  void shouldClaimAndFailAtOnceWhenBuiltAsFailing() {
    // given
    final RunExecution execution =
        RunExecution.failing(
            claim(5, Fixtures.NOW.plusSeconds(60)),
            Results.failed(FailureCodes.POISON, "delivery limit", false),
            new WorkerContext(WORKER, appender, clock, timer));

    // when
    execution.execute();

    // then
    assertThat(appender.types()).containsExactly("RunClaimed", "run.failed");
    assertThat(failure().getCode()).isEqualTo(FailureCodes.POISON);
    assertThat(appender.records()).extracting(LedgerRecord::getAttempt).containsOnly(5);
    assertThat(claimPhase()).isNull();
  }

  @Test
  void shouldKeepSequencesStrictlyIncreasingWhenResultsComeFromManyThreads() {
    // given
    final RunExecution execution =
        execution(
            1,
            Fixtures.NOW.plusSeconds(60),
            (context, session) -> {
              final List<CompletableFuture<Void>> writers =
                  LongStream.range(0, 8)
                      .mapToObj(
                          w ->
                              CompletableFuture.runAsync(
                                  () -> {
                                    for (int i = 0; i < 50; i++) {
                                      session.emit(Results.delta("w" + w + "-" + i));
                                    }
                                  }))
                      .toList();
              writers.forEach(CompletableFuture::join);
              session.emit(Results.completed(Results.STOP, null));
            });

    // when
    execution.execute();

    // then
    assertThat(appender.records())
        .extracting(LedgerRecord::getSequence)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 402).boxed().toList());
    assertThat(((AgentRunResult) appender.records().get(401).getBody()).getPayload())
        .isInstanceOf(RunCompleted.class);
  }

  @Test
  void shouldFailTheRunOutputLimitAndStopTheRunnerWhenAResultIsOverTheRecordLimit() {
    // given: an appender that takes records of at most 2000 bytes
    final LedgerTopics topics = LedgerTopics.create(LedgerConfig.of(Map.of()));
    final LedgerAppender limited =
        new LedgerAppender() {
          @Override
          public CompletableFuture<Void> append(final LedgerRecord record) {
            return appender.append(record);
          }

          @Override
          public int maxRecordBytes() {
            return 2000;
          }

          @Override
          public int encodedSize(final LedgerRecord record) {
            return topics.runLedger().encodedSize(record.getRunId(), record);
          }
        };
    final AtomicBoolean stopped = new AtomicBoolean();
    final RunExecution execution =
        RunExecution.of(
            claim(1, Fixtures.NOW.plusSeconds(60)),
            new ScriptedRunner(
                (context, session) -> {
                  session.emit(Results.messageCompleted("x".repeat(5000)));
                  stopped.set(session.isCancelled());
                  session.emit(Results.completed(Results.STOP, null));
                }),
            new WorkerContext(WORKER, limited, clock, timer));

    // when
    execution.execute();

    // then: nothing over the limit was appended, the one terminal says why, the command settles
    assertThat(appender.types()).containsExactly("RunClaimed", "run.failed");
    assertThat(failure().getCode()).isEqualTo(FailureCodes.RUNNER_OUTPUT_LIMIT);
    assertThat(failure().getError()).contains("over the limit of 2000 bytes");
    assertThat(appender.records()).extracting(LedgerRecord::getSequence).containsExactly(1L, 2L);
    assertThat(stopped).isTrue();
    assertThat(execution.terminalAcknowledged()).isCompleted();
    assertThat(execution.terminalAcknowledged()).isNotCompletedExceptionally();
  }

  private RunExecution execution(
      final int attempt, final Instant deadline, final ScriptedRunner.Script script) {
    return RunExecution.of(
        claim(attempt, deadline),
        new ScriptedRunner(script),
        new WorkerContext(WORKER, appender, clock, timer));
  }

  private LivenessPhase claimPhase() {
    return ((RunClaimed) appender.records().get(0).getBody()).getPhase();
  }

  private static RunClaim claim(final int attempt, final Instant deadline) {
    return new RunClaim(
        RUN, attempt, Fixtures.startRun(RUN, ScriptedRunner.RUNNER_ID, "hello", "{}", deadline));
  }

  private RunFailed failure() {
    final List<LedgerRecord> records = appender.records();
    final AgentRunResult last = (AgentRunResult) records.get(records.size() - 1).getBody();
    return (RunFailed) last.getPayload();
  }
}
