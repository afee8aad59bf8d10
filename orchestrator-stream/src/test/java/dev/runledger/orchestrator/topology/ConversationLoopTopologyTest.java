package dev.runledger.orchestrator.topology;

import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.RunTrack;
import dev.runledger.orchestrator.dispatch.DispatchPolicy;
import dev.runledger.orchestrator.dispatch.Fixtures;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.schemas.topics.CancelMarks;
import dev.runledger.schemas.topics.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop through the ledger on the test driver: the orchestrator's own records and the workers'
 * come back through the run tracker and the run-notices repartition to the conversation.
 */
class ConversationLoopTopologyTest extends DispatchDriverTest {
  @BeforeEach
  void givenAnEnqueueBindingOfEcho() {
    bindEcho(DispatchMode.ENQUEUE);
  }

  private void send(final String eventId) {
    send(event(eventId).build());
  }

  private List<Object> ledgerBodies() {
    return ledger.readValuesToList().stream()
        .filter(r -> DispatchPolicy.ORCHESTRATOR.equals(r.getProducer()))
        .map(r -> r.getBody())
        .toList();
  }

  @Test
  void shouldStartTheQueuedRunWhenTheLedgerSaysTheActiveOneEnded() {
    // given
    send("e1");
    send("e2");
    final String first = RunIds.runId(Fixtures.WORKSPACE, "e1", "b1");
    assertThat(commands.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly(first);

    // when
    ledgerIn.pipeInput(
        first, worker(first, 1, RunClaimed.newBuilder().setWorkerId("w1").setAttempt(1).build()));
    ledgerIn.pipeInput(first, completed(first));

    // then
    assertThat(commands.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .containsExactly(RunIds.runId(Fixtures.WORKSPACE, "e2", "b1"));
  }

  @Test
  void shouldRecordACancelAndRelayItMarkedWhenACancelArrivesOnRunControl() {
    // given
    send("e1");
    final String run = RunIds.runId(Fixtures.WORKSPACE, "e1", "b1");
    ledger.readValuesToList();

    // when
    controlIn.pipeInput(
        run,
        RunCommand.newBuilder()
            .setRunId(run)
            .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy("api").build())
            .build());

    // then: the request is in the ledger, and the cancel workers act on is marked
    final List<LedgerRecord> written = ledger.readValuesToList();
    assertThat(written)
        .extracting(r -> (Object) r.getBody().getClass())
        .containsExactly(CancelRequested.class);
    assertThat(written).extracting(LedgerRecord::getSequence).containsExactly(2L);
    assertThat(control.readRecordsToList())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(((CancelRun) c.value().getKind()).getRequestedBy()).isEqualTo("api");
              assertThat(CancelMarks.of(c.headers())).contains(CancelMarks.REQUESTED);
            });
  }

  @Test
  void shouldCancelARunCreatedAfterItsCancelArrived() {
    // given: e2 waits behind e1, and is cancelled by its future run id
    send("e1");
    send("e2");
    final String second = RunIds.runId(Fixtures.WORKSPACE, "e2", "b1");
    controlIn.pipeInput(
        second,
        RunCommand.newBuilder()
            .setRunId(second)
            .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy("api").build())
            .build());
    ledger.readValuesToList();

    // when
    final String first = RunIds.runId(Fixtures.WORKSPACE, "e1", "b1");
    ledgerIn.pipeInput(first, completed(first));

    // then
    assertThat(ledgerBodies())
        .extracting(b -> (Object) b.getClass())
        .containsExactly(RunCreated.class, CancelRequested.class);
  }

  @Test
  void shouldTimeOutARunNobodyClaimedWhenItsDeadlinePasses() {
    // given
    send("e1");
    ledger.readValuesToList();

    // when
    driver.advanceWallClockTime(Duration.ofSeconds(61));

    // then
    final List<LedgerRecord> written = ledger.readValuesToList();
    assertThat(written)
        .extracting(r -> (Object) r.getBody().getClass())
        .containsExactly(RunTimedOut.class);
    assertThat(control.readRecordsToList())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(((CancelRun) c.value().getKind()).getReason()).isEqualTo("timeout");
              assertThat(CancelMarks.of(c.headers())).contains(CancelMarks.ENDED);
            });
  }

  @Test
  void shouldDeadLetterAnUndecodableLedgerRecordAndKeepGoing() {
    // when
    rawLedger.pipeInput("run_x".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
    send("e1");

    // then
    final List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(
            new String(
                dead.get(0).headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(),
                StandardCharsets.UTF_8))
        .isEqualTo(topics.runLedger().name());
    assertThat(decisions.readValuesToList()).hasSize(1);
  }

  @Test
  void shouldForgetARunWhoseLedgerWasCleanedUpWithoutDeadLettering() {
    // given a run the tracker follows
    send("e1");
    final String run = RunIds.runId(Fixtures.WORKSPACE, "e1", "b1");
    final KeyValueStore<String, RunTrack> tracks =
        driver.getKeyValueStore(DispatchTopology.STORE_RUN_TRACKS);
    assertThat(tracks.get(run)).isNotNull();

    // when `ledger cleanup` writes its tombstone for the run
    rawLedger.pipeInput(run.getBytes(StandardCharsets.UTF_8), (byte[]) null);

    // then the track is gone and nothing is a dead letter
    assertThat(tracks.get(run)).isNull();
    assertThat(dlq.readRecordsToList()).isEmpty();
  }
}
