package dev.runledger.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunFailed;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.serde.DecodeException;
import dev.runledger.schemas.topics.CancelMarks;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.builtin.EchoRunner;
import dev.runledger.worker.control.RunControl;
import dev.runledger.worker.execution.RunExecution;
import dev.runledger.worker.execution.RunLauncher;
import dev.runledger.worker.execution.WorkerContext;
import dev.runledger.worker.spi.FailureCodes;
import dev.runledger.worker.spi.RunnerProvider;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RunLauncherTest {
  private static final LedgerConfig CONFIG = LedgerConfig.of(Map.of());
  private static final int DELIVERY_LIMIT = 5;

  private final LedgerTopics topics = LedgerTopics.create(CONFIG);
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final WorkerPublisher publisher = new WorkerPublisher(producer, topics);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService runPool = Executors.newFixedThreadPool(2);
  private final RunnerProvider echo = config -> List.of(new EchoRunner("test"));
  private final RunControl control = RunControl.empty();
  private final RunLauncher launcher =
      new RunLauncher(
          RunnerCatalog.of(List.of(echo), CONFIG, "default"),
          new WorkerContext(
              "worker-a",
              publisher,
              Clock.systemUTC(),
              timer,
              control,
              HostApis.unavailable(),
              Duration.ofMinutes(2),
              Duration.ofSeconds(1),
              Duration.ZERO),
          topics.runCommands("default").valueSerde().deserializer(),
          publisher,
          "default",
          runPool,
          2);

  @AfterEach
  void stop() {
    runPool.shutdownNow();
    timer.shutdownNow();
  }

  @Test
  void shouldRunTheCommandAsTheDeliveryCountsAttemptWhenAStartRunIsClaimed() throws Exception {
    // given
    final ConsumerRecord<byte[], byte[]> record = record(startRun("r1", EchoRunner.RUNNER_ID), 2);

    // when
    final Optional<RunExecution> execution = reserveAndLaunch(record);

    // then
    assertThat(execution).isPresent();
    execution.get().terminalAcknowledged().get(10, TimeUnit.SECONDS);
    final List<LedgerRecord> ledger = ledger();
    assertThat(ledger).extracting(LedgerRecord::getAttempt).containsOnly(2);
    assertThat(ledger).extracting(LedgerRecord::getRunId).containsOnly("r1");
    assertThat(type(ledger.get(ledger.size() - 1))).isEqualTo("run.completed");
  }

  @Test
  void shouldClaimAndCancelWithoutRunningWhenARecordedCancelPrecedesTheClaim() throws Exception {
    // given
    control.apply(
        RunCommand.newBuilder()
            .setRunId("r1")
            .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy("api").build())
            .build(),
        Optional.of(CancelMarks.REQUESTED));
    final ConsumerRecord<byte[], byte[]> record = record(startRun("r1", EchoRunner.RUNNER_ID), 1);

    // when
    reserveAndLaunch(record).orElseThrow().terminalAcknowledged().get(10, TimeUnit.SECONDS);

    // then: the orchestrator left the end to the worker that claims the run
    final List<LedgerRecord> ledger = ledger();
    assertThat(ledger.get(0).getBody()).isInstanceOf(RunClaimed.class);
    final LedgerRecord last = ledger.get(ledger.size() - 1);
    assertThat(type(last)).isEqualTo("run.failed");
    assertThat(failure(last).getCode()).isEqualTo(FailureCodes.CANCELLED);
    assertThat(ledger)
        .filteredOn(r -> r.getBody() instanceof AgentRunResult)
        .extracting(RunLauncherTest::type)
        .containsExactly("run.failed");
  }

  @Test
  void shouldIgnoreACancelTheOrchestratorHasNotRecorded() {
    // when
    control.apply(
        RunCommand.newBuilder()
            .setRunId("r1")
            .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy("api").build())
            .build(),
        Optional.empty());

    // then
    assertThat(control.cancellation("r1")).isEmpty();
    assertThat(control.cancelAsked("r1")).isTrue();
  }

  @Test
  void shouldSettleWithoutWritingAnythingWhenTheOrchestratorEndedTheRunBeforeTheClaim()
      throws Exception {
    // given
    control.apply(
        RunCommand.newBuilder()
            .setRunId("r1")
            .setKind(
                CancelRun.newBuilder().setReason("timeout").setRequestedBy("orchestrator").build())
            .build(),
        Optional.of(CancelMarks.ENDED));
    final ConsumerRecord<byte[], byte[]> record = record(startRun("r1", EchoRunner.RUNNER_ID), 1);

    // when
    final Optional<RunExecution> execution = reserveAndLaunch(record);

    // then
    assertThat(execution).isPresent();
    assertThat(execution.get().terminalAcknowledged()).isCompleted();
    assertThat(ledger()).isEmpty();
    assertThat(launcher.activeRuns()).isZero();
    assertThat(launcher.reserve(2, Duration.ZERO)).isTrue();
  }

  @Test
  void shouldFailAsPoisonWithoutRunningWhenTheDeliveryReachesTheLimit() throws Exception {
    // given
    final ConsumerRecord<byte[], byte[]> record =
        record(startRun("r1", EchoRunner.RUNNER_ID), DELIVERY_LIMIT);

    // when
    reserveAndLaunch(record).orElseThrow().terminalAcknowledged().get(10, TimeUnit.SECONDS);

    // then
    final List<LedgerRecord> ledger = ledger();
    assertThat(ledger).hasSize(2);
    assertThat(failure(ledger.get(1)).getCode()).isEqualTo(FailureCodes.POISON);
  }

  @Test
  void shouldFailAsRunnerUnknownWhenTheWorkerDoesNotHostTheRunner() throws Exception {
    // given
    final ConsumerRecord<byte[], byte[]> record = record(startRun("r1", "proc:acme/x/default"), 1);

    // when
    reserveAndLaunch(record).orElseThrow().terminalAcknowledged().get(10, TimeUnit.SECONDS);

    // then
    final RunFailed failure = failure(ledger().get(1));
    assertThat(failure.getCode()).isEqualTo(FailureCodes.RUNNER_UNKNOWN);
    assertThat(failure.getError()).contains("proc:acme/x/default", "worker-a");
  }

  @Test
  void shouldDeadLetterWithErrorHeadersWhenTheBytesDoNotDecode() throws Exception {
    // given
    final ConsumerRecord<byte[], byte[]> record =
        new ConsumerRecord<>(
            topics.runCommands("default").name(),
            3,
            42L,
            "r9".getBytes(StandardCharsets.UTF_8),
            "not avro".getBytes(StandardCharsets.UTF_8));

    // when
    final Optional<RunExecution> execution = reserveAndLaunch(record);

    // then
    assertThat(execution).isEmpty();
    final ProducerRecord<byte[], byte[]> dead = producer.history().get(0);
    assertThat(dead.topic()).isEqualTo(topics.dlq().name());
    assertThat(dead.value()).isEqualTo(record.value());
    assertThat(header(dead, DeadLetters.ERROR_CODE)).isEqualTo(DecodeException.BAD_HEADER);
    assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(record.topic());
    assertThat(header(dead, DeadLetters.SOURCE_PARTITION)).isEqualTo("3");
    assertThat(header(dead, DeadLetters.SOURCE_OFFSET)).isEqualTo("42");
  }

  @Test
  void shouldDeadLetterWhenTheCommandIsNotAStartRun() throws Exception {
    // given
    final RunCommand cancel =
        RunCommand.newBuilder()
            .setRunId("r1")
            .setKind(CancelRun.newBuilder().setReason("x").setRequestedBy("y").build())
            .build();

    // when
    final Optional<RunExecution> execution = reserveAndLaunch(record(cancel, 1));

    // then
    assertThat(execution).isEmpty();
    assertThat(header(producer.history().get(0), DeadLetters.ERROR_CODE))
        .isEqualTo(RunLauncher.UNEXPECTED_COMMAND);
  }

  @Test
  void shouldReserveNoMoreThreadsThanSlotsWhenRunsAreBusy() throws Exception {
    // given two slow runs hold both threads
    final String slow = "{\"turn_delay_ms\": 60000}";
    final RunExecution first =
        reserveAndLaunch(record(startRun("r1", EchoRunner.RUNNER_ID, slow), 1)).orElseThrow();
    final RunExecution second =
        reserveAndLaunch(record(startRun("r2", EchoRunner.RUNNER_ID, slow), 1)).orElseThrow();

    // then
    assertThat(launcher.reserve(1, Duration.ofMillis(100))).isFalse();
    assertThat(launcher.activeRuns()).isEqualTo(2);

    // when one run ends, its thread is free again
    first.cancel("test");
    assertThat(launcher.reserve(1, Duration.ofSeconds(5))).isTrue();
    second.cancel("test");
  }

  private Optional<RunExecution> reserveAndLaunch(final ConsumerRecord<byte[], byte[]> record)
      throws InterruptedException {
    assertThat(launcher.reserve(1, Duration.ofSeconds(1))).isTrue();
    final Optional<RunExecution> execution = launcher.launch(record, DELIVERY_LIMIT);
    if (execution.isEmpty()) {
      launcher.unreserve(1);
    }
    return execution;
  }

  private RunCommand startRun(final String runId, final String runnerId) {
    return startRun(runId, runnerId, "{}");
  }

  private RunCommand startRun(final String runId, final String runnerId, final String config) {
    return Fixtures.command(
        Fixtures.startRun(runId, runnerId, "hi", config, Instant.now().plusSeconds(600)));
  }

  private ConsumerRecord<byte[], byte[]> record(final RunCommand command, final int deliveryCount) {
    final String topic = topics.runCommands("default").name();
    return new ConsumerRecord<>(
        topic,
        0,
        7L,
        0L,
        TimestampType.CREATE_TIME,
        0,
        0,
        command.getRunId().getBytes(StandardCharsets.UTF_8),
        topics.runCommands("default").valueSerde().serializer().serialize(topic, command),
        new RecordHeaders(),
        Optional.empty(),
        Optional.of((short) deliveryCount));
  }

  private List<LedgerRecord> ledger() {
    return producer.history().stream()
        .filter(r -> r.topic().equals(topics.runLedger().name()))
        .map(r -> topics.runLedger().valueSerde().deserializer().deserialize(r.topic(), r.value()))
        .toList();
  }

  private static String type(final LedgerRecord record) {
    return ((AgentRunResult) record.getBody()).getType();
  }

  private static RunFailed failure(final LedgerRecord record) {
    return (RunFailed) ((AgentRunResult) record.getBody()).getPayload();
  }

  private static String header(final ProducerRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
