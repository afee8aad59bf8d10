package dev.runledger.orchestrator.topology;

import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.ConversationState;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.RunTrack;
import dev.runledger.orchestrator.dispatch.Fixtures;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.schemas.topics.CancelMarks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs without a lane on the test driver: the run tracker holds them from their {@code RunCreated}
 * on, so the conversation keeps nothing of them and no notice goes through the repartition, and
 * their cancel and deadline are the same records as a lane run's.
 */
class LanelessRunTopologyTest extends DispatchDriverTest {
  private static final String APP = "runledger.orchestrator-";
  private final String run = RunIds.runId(Fixtures.WORKSPACE, "e1", "b1");

  @BeforeEach
  void givenAParallelBindingOfEcho() {
    bindEcho(DispatchMode.PARALLEL);
  }

  /** The orchestrator's internal topic {@code suffix} (a changelog, the notices repartition). */
  private TestOutputTopic<byte[], byte[]> internal(final String suffix) {
    return driver.createOutputTopic(
        APP + suffix, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
  }

  private void claimAndComplete(final String runId) {
    ledgerIn.pipeInput(
        runId, worker(runId, 1, RunClaimed.newBuilder().setWorkerId("w1").setAttempt(1).build()));
    ledgerIn.pipeInput(runId, completed(runId));
  }

  private void cancel(final String runId) {
    controlIn.pipeInput(
        runId,
        RunCommand.newBuilder()
            .setRunId(runId)
            .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy("api").build())
            .build());
  }

  private KeyValueStore<String, RunTrack> tracks() {
    return driver.getKeyValueStore(DispatchTopology.STORE_RUN_TRACKS);
  }

  private List<KeyValue<String, String>> deadlines() {
    final KeyValueStore<String, String> store =
        driver.getKeyValueStore(DispatchTopology.STORE_DEADLINES);
    try (KeyValueIterator<String, String> all = store.all()) {
      final List<KeyValue<String, String>> entries = new ArrayList<>();
      all.forEachRemaining(entries::add);
      return entries;
    }
  }

  @Test
  void shouldWriteAParallelRunsTrackOnceWhenCreatedAndOnceWhenEndedAndNothingElse() {
    // given
    final TestOutputTopic<byte[], byte[]> trackLog = internal("run-tracks-changelog");

    // when the run is created, claimed and completed
    send(event("e1").build());
    final RunTrack held = tracks().get(run);
    claimAndComplete(run);

    // then the track held the run and is gone, written twice; the conversation kept nothing
    assertThat(held.getRun().getRunId()).isEqualTo(run);
    assertThat(held.getRun().getNextSequence()).isEqualTo(2);
    assertThat(tracks().get(run)).isNull();
    assertThat(trackLog.readRecordsToList())
        .extracting(r -> new String(r.key(), StandardCharsets.UTF_8), r -> r.value() == null)
        .containsExactly(tuple(run, false), tuple(run, true));
    assertThat(internal("conversations-changelog").isEmpty()).isTrue();
    assertThat(internal("run-deadlines-changelog").isEmpty()).isTrue();
    assertThat(internal("run-notices-repartition").isEmpty()).isTrue();
    assertThat(deadlines()).isEmpty();
  }

  @Test
  void shouldMarkTheRunCreatedOfARunWithoutALaneOnly() {
    // given a lane binding for another event type
    final AgentBinding.Builder lane = binding("b2", ECHO).setEventTypes(List.of("reaction.*"));
    lane.getDispatchPolicyBuilder().setMode(DispatchMode.ENQUEUE);
    bind(lane.build());

    // when
    send(event("e1").build());
    send(event("e2").setEventType("reaction.added").build());

    // then
    final List<TestRecord<String, LedgerRecord>> created = ledger.readRecordsToList();
    assertThat(created)
        .extracting(r -> (Object) r.value().getBody().getClass())
        .containsOnly(RunCreated.class);
    assertThat(created)
        .extracting(r -> TextHeaders.get(r.headers(), DispatchTopology.LANE_HEADER).orElse("-"))
        .containsExactly(DispatchTopology.NO_LANE, "-");
    final KeyValueStore<String, ConversationState> conversations =
        driver.getKeyValueStore(DispatchTopology.STORE_CONVERSATIONS);
    assertThat(conversations.get("ws1/bot1/c1/").getRuns())
        .extracting(r -> r.getRunId())
        .containsExactly(RunIds.runId(Fixtures.WORKSPACE, "e2", "b2"));
    assertThat(tracks().get(run).getRun()).isNotNull();
    assertThat(internal("conversations-changelog").readRecordsToList()).hasSize(1);
  }

  @Test
  void shouldRecordAndRelayACancelOfAParallelRunOnceWithoutANotice() {
    // given
    send(event("e1").build());
    ledger.readValuesToList();

    // when
    cancel(run);
    cancel(run);

    // then
    final List<LedgerRecord> written = ledger.readValuesToList();
    assertThat(written)
        .extracting(r -> (Object) r.getBody().getClass())
        .containsExactly(CancelRequested.class);
    assertThat(written.get(0).getSequence()).isEqualTo(2);
    assertThat(written.get(0).getAttempt()).isZero();
    assertThat(written.get(0).getConversationKey()).isEqualTo("ws1/bot1/c1/");
    assertThat(control.readRecordsToList())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(((CancelRun) c.value().getKind()).getRequestedBy()).isEqualTo("api");
              assertThat(CancelMarks.of(c.headers())).contains(CancelMarks.REQUESTED);
            });
    assertThat(internal("run-notices-repartition").isEmpty()).isTrue();
  }

  @Test
  void shouldCancelARunWithoutAConversationWhoseCancelArrivedBeforeItsRunCreated() {
    // when
    cancel(run);
    send(event("e1").setConversationId(null).build());

    // then
    final List<LedgerRecord> written = ledger.readValuesToList();
    assertThat(written)
        .extracting(r -> (Object) r.getBody().getClass())
        .containsExactly(RunCreated.class, CancelRequested.class);
    assertThat(written).extracting(LedgerRecord::getSequence).containsExactly(1L, 2L);
    assertThat(control.readRecordsToList())
        .singleElement()
        .satisfies(c -> assertThat(CancelMarks.of(c.headers())).contains(CancelMarks.REQUESTED));
  }

  @Test
  void shouldTimeOutAParallelRunOnceAtItsDeadlineAndLetItGoWhenRunTimedOutComesBack() {
    // given
    send(event("e1").build());
    ledger.readValuesToList();

    // when
    driver.advanceWallClockTime(Duration.ofSeconds(61));
    driver.advanceWallClockTime(Duration.ofSeconds(61));

    // then
    final List<LedgerRecord> written = ledger.readValuesToList();
    assertThat(written)
        .extracting(r -> (Object) r.getBody().getClass())
        .containsExactly(RunTimedOut.class);
    assertThat(written.get(0).getSequence()).isEqualTo(2);
    assertThat(control.readRecordsToList())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(((CancelRun) c.value().getKind()).getReason()).isEqualTo("timeout");
              assertThat(CancelMarks.of(c.headers())).contains(CancelMarks.ENDED);
            });
    assertThat(tracks().get(run)).isNull();
  }

  @Test
  void shouldNotTimeOutAParallelRunThatEndedBeforeItsDeadline() {
    // given
    send(event("e1").build());
    claimAndComplete(run);
    ledger.readValuesToList();

    // when
    driver.advanceWallClockTime(Duration.ofSeconds(61));

    // then
    assertThat(ledger.isEmpty()).isTrue();
    assertThat(control.isEmpty()).isTrue();
  }
}
