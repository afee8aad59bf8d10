package dev.runledger.projections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology on a TopologyTestDriver: ledger in, runs and run-events stores out. */
class ProjectionTopologyTest {

  @TempDir Path stateDir;

  private ProjectionDriver driver;

  @BeforeEach
  void start() {
    driver = new ProjectionDriver(stateDir);
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void shouldTellARunListenerOfEachRunAsTheFoldWritesIt() {
    // given: a listener on a topology of its own
    driver.close();
    final List<AgentRun> written = new ArrayList<>();
    driver = new ProjectionDriver(stateDir, Duration.ofMillis(250), written::add);
    final LedgerFixture run = new LedgerFixture("run-l");
    final LedgerRecord claimed = run.claimed(1);

    // when: a run's records, one of them twice, then a second terminal
    for (final LedgerRecord r :
        List.of(run.created(), claimed, claimed, run.completed(1), run.failed(1, "x"))) {
      driver.ledger().pipeInput(r.getRunId(), r);
    }

    // then: one write per record, counted ones included, the last as the view holds it
    assertThat(written)
        .extracting(AgentRun::getStatus)
        .containsExactly(
            RunStatus.QUEUED,
            RunStatus.RUNNING,
            RunStatus.RUNNING,
            RunStatus.COMPLETED,
            RunStatus.COMPLETED);
    assertThat(written.get(2).getDuplicateCount()).isEqualTo(1);
    assertThat(written.get(4)).isEqualTo(runs().get("run-l"));
  }

  @Test
  void shouldFoldInterleavedRunsIntoRunsAndOrderedEventsWhenLedgerIsRealistic() {
    // given: three runs, their records interleaved as on a shared partition
    final LedgerFixture a = new LedgerFixture("run-a");
    final LedgerFixture b = new LedgerFixture("run-b");
    final LedgerFixture c = new LedgerFixture("run-c");
    final LedgerRecord duplicate;
    final List<LedgerRecord> records = new ArrayList<>();
    records.add(a.created());
    records.add(b.created());
    records.add(a.claimed(1));
    records.add(c.created());
    records.add(b.claimed(1));
    records.add(a.delta(1, "hel"));
    records.add(b.delta(1, "x"));
    records.add(c.claimed(1));
    records.add(a.delta(1, "lo"));
    // run-b's worker is presumed dead; attempt 2 takes over, then attempt 1 writes once more
    records.add(b.claimed(2));
    records.add(b.message(1, "stale"));
    duplicate = c.delta(1, "c1");
    records.add(duplicate);
    records.add(a.message(1, "hello"));
    records.add(duplicate);
    records.add(b.message(2, "fresh"));
    records.add(a.completed(1));
    records.add(c.failed(1, "runner.error"));
    records.add(b.completed(2));
    // a second terminal for run-c: counted, not applied
    records.add(c.completed(1));

    // when
    records.forEach(r -> driver.ledger().pipeInput(r.getRunId(), r));

    // then
    final AgentRun runA = runs().get("run-a");
    assertThat(runA.getStatus()).isEqualTo(RunStatus.COMPLETED);
    assertThat(runA.getFinalMessage()).isEqualTo("hello");
    assertThat(runA.getResultCount()).isEqualTo(4);
    assertThat(events("run-a"))
        .extracting(AgentRunEvent::getType)
        .containsExactly(
            "run.created",
            "run.claimed",
            "message.delta",
            "message.delta",
            "message.completed",
            "run.completed");

    final AgentRun runB = runs().get("run-b");
    assertThat(runB.getStatus()).isEqualTo(RunStatus.COMPLETED);
    assertThat(runB.getAttempt()).isEqualTo(2);
    assertThat(runB.getFinalMessage()).isEqualTo("fresh");
    assertThat(runB.getFencedCount()).isEqualTo(1);
    assertThat(events("run-b"))
        .extracting(e -> e.getType() + "@" + e.getAttempt())
        .containsExactly(
            "run.created@0",
            "run.claimed@1",
            "message.delta@1",
            "run.claimed@2",
            "message.completed@2",
            "run.completed@2");

    final AgentRun runC = runs().get("run-c");
    assertThat(runC.getStatus()).isEqualTo(RunStatus.FAILED);
    assertThat(runC.getError().getCode()).isEqualTo("runner.error");
    assertThat(runC.getDuplicateCount()).isEqualTo(1);
    assertThat(runC.getLateTerminalCount()).isEqualTo(1);
    assertThat(events("run-c"))
        .extracting(AgentRunEvent::getType)
        .containsExactly("run.created", "run.claimed", "message.delta", "run.failed");

    for (final String run : List.of("run-a", "run-b", "run-c")) {
      final List<AgentRunEvent> events = events(run);
      assertThat(events)
          .extracting(AgentRunEvent::getSeq)
          .as("gapless seq of %s", run)
          .containsExactlyElementsOf(
              java.util.stream.LongStream.rangeClosed(1, events.size()).boxed().toList());
      assertThat(runs().get(run).getEventCount()).isEqualTo(events.size());
    }
    assertThat(driver.dlq().isEmpty()).isTrue();
  }

  @Test
  void shouldRecordLedgerOffsetOfLastAppliedRecordWhenFolding() {
    // given
    final LedgerFixture a = new LedgerFixture("run-a");

    // when
    driver.ledger().pipeInput("run-a", a.created());
    driver.ledger().pipeInput("run-a", a.claimed(1));

    // then
    assertThat(runs().get("run-a").getLastOffset()).isEqualTo(1L);
  }

  @Test
  void shouldDeadLetterUndecodableBytesAndKeepFoldingWhenLedgerHoldsGarbage() {
    // given
    final LedgerFixture a = new LedgerFixture("run-a");
    final byte[] garbage = "not avro".getBytes(StandardCharsets.UTF_8);

    // when
    driver.rawLedger().pipeInput("run-a", garbage);
    driver.ledger().pipeInput("run-a", a.created());

    // then
    final TestRecord<byte[], byte[]> dead = driver.dlq().readRecord();
    assertThat(dead.value()).isEqualTo(garbage);
    assertThat(dead.key()).isEqualTo("run-a".getBytes(StandardCharsets.UTF_8));
    assertThat(header(dead, "runledger.error.code")).isEqualTo("decode.bad_header");
    assertThat(header(dead, "runledger.source.topic"))
        .isEqualTo(driver.topics().runLedger().name());
    assertThat(header(dead, "runledger.source.offset")).isEqualTo("0");
    assertThat(runs().get("run-a").getStatus()).isEqualTo(RunStatus.QUEUED);
  }

  @Test
  void shouldDeadLetterRecordWhenKeyIsNotItsRunId() {
    // given
    final LedgerFixture a = new LedgerFixture("run-a");

    // when
    driver.ledger().pipeInput("run-z", a.created());

    // then
    assertThat(header(driver.dlq().readRecord(), "runledger.error.code"))
        .isEqualTo("record.key_mismatch");
    assertThat(runs().get("run-a")).isNull();
    assertThat(runs().get("run-z")).isNull();
  }

  @Test
  void shouldRemoveRunAndItsEventsWhenCleanupTombstoneLandsOnTheLedger() {
    // given
    final LedgerFixture a = new LedgerFixture("run-a");
    final LedgerFixture b = new LedgerFixture("run-b");
    driver.ledger().pipeInput("run-a", a.created());
    driver.ledger().pipeInput("run-a", a.claimed(1));
    driver.ledger().pipeInput("run-b", b.created());

    // when
    driver.rawLedger().pipeInput("run-a", (byte[]) null);

    // then
    assertThat(driver.dlq().isEmpty()).isTrue();
    assertThat(runs().get("run-a")).isNull();
    assertThat(events("run-a")).isEmpty();
    assertThat(runs().get("run-b")).isNotNull();
    assertThat(events("run-b")).hasSize(1);
  }

  @Test
  void shouldKeepLatestDecisionPerEventAndForgetItWhenTombstoned() {
    // given
    final DispatchDecision enqueued = decision("e-1", Decision.ENQUEUED, null);
    final DispatchDecision created = decision("e-1", Decision.RUN_CREATED, "run-1");
    final DispatchDecision other = decision("e-2", Decision.NO_BINDING, null);
    final KeyValueStore<String, DispatchDecision> store =
        driver.store(ProjectionTopology.DECISIONS_STORE);

    // when
    driver.decisions().pipeInput("ws-1/e-1", enqueued);
    driver.decisions().pipeInput("ws-1/e-2", other);
    driver.decisions().pipeInput("ws-1/e-1", created);

    // then
    assertThat(store.get("ws-1/e-1")).isEqualTo(created);
    assertThat(store.get("ws-1/e-2")).isEqualTo(other);

    // when
    driver.decisions().pipeInput("ws-1/e-2", (DispatchDecision) null);

    // then
    assertThat(store.get("ws-1/e-2")).isNull();
  }

  private static DispatchDecision decision(
      final String eventId, final Decision decision, final String runId) {
    return DispatchDecision.newBuilder()
        .setEventId(eventId)
        .setDecision(decision)
        .setRunId(runId)
        .setDecidedAt(Instant.ofEpochMilli(1_700_000_000_000L))
        .build();
  }

  private KeyValueStore<String, AgentRun> runs() {
    return driver.store(ProjectionTopology.RUNS_STORE);
  }

  private List<AgentRunEvent> events(final String runId) {
    return driver.events(runId);
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
