package dev.runledger.projections.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.StateUpdated;
import dev.runledger.projections.LedgerFixture;
import dev.runledger.projections.ProjectionDriver;
import dev.runledger.projections.ProjectionTopology;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.config.StreamsMemory;
import dev.runledger.schemas.serde.LedgerSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rebuild (on disk) and the live topology fold the same input into the same views. */
class RebuildEqualsLiveTest {
  @TempDir Path stateDir;
  @TempDir Path rebuildDir;

  @Test
  void shouldProduceEqualDigestsWhenRebuildFoldsWhatTopologyFolded() {
    // given a mixed workload
    final List<LedgerRecord> ledger = workload();
    final HostEvent hello = host("e-1", "hello");
    final DispatchDecision created = decision("e-1", Decision.RUN_CREATED);
    final DispatchDecision duplicate = decision("e-1", Decision.DUPLICATE);

    // when the topology folds it
    final Map<String, ViewDigest> live;
    try (ProjectionDriver driver = new ProjectionDriver(stateDir, Duration.ofSeconds(1))) {
      driver.hosts().pipeInput("ws-1//conv-1/", hello);
      driver.decisions().pipeInput("ws-1/e-1", created);
      driver.decisions().pipeInput("ws-1/e-1", duplicate);
      driver.decisions().pipeInput("ws-2/e-1", created); // the same event id in another workspace
      driver.pipe(ledger);
      driver.rawLedger().pipeInput("run-gone", (byte[]) null);
      live = driver.queries().digests();
    }

    // and the rebuild folds it
    final Map<String, ViewDigest> digests;
    try (RebuildViews rebuilt = views()) {
      rebuilt.hostEvent(hello);
      rebuilt.decision("ws-1/e-1", created);
      rebuilt.decision("ws-1/e-1", duplicate);
      rebuilt.decision("ws-2/e-1", created);
      long offset = 0;
      for (final LedgerRecord r : ledger) {
        rebuilt.ledger(r.getRunId(), r, offset++);
      }
      rebuilt.ledger("run-gone", null, offset);
      digests = rebuilt.digests();
    }

    // then
    assertThat(digests).isEqualTo(live);
    assertThat(live.get(ProjectionTopology.RUNS_STORE).count()).isEqualTo(3);
    assertThat(live.get(ProjectionTopology.TRANSCRIPT_STORE).count()).isEqualTo(2);
    assertThat(live.get(ProjectionTopology.STATE_STORE).count()).isEqualTo(1);
    assertThat(live.get(ProjectionTopology.DECISIONS_STORE).count()).isEqualTo(2);
  }

  @Test
  void shouldApplyReSentHostEventOnceWhenLiveAndRebuilt() {
    // given an event sent three times (same text, then another), with its decisions in between
    final List<HostEvent> hosts =
        List.of(
            host("e-1", "hello"),
            host("e-1", "hello"),
            host("e-2", "next"),
            host("e-1", "never processed"));
    final DispatchDecision created = decision("e-1", Decision.RUN_CREATED);
    final DispatchDecision duplicate = decision("e-1", Decision.DUPLICATE);
    final LedgerFixture run = new LedgerFixture("run-done");
    final List<LedgerRecord> ledger =
        List.of(run.created(), run.claimed(1), run.message(1, "hi"), run.completed(1));

    // when the topology folds it
    final Map<String, ViewDigest> live;
    try (ProjectionDriver driver = new ProjectionDriver(stateDir, Duration.ofSeconds(1))) {
      driver.hosts().pipeInput("ws-1//conv-1/", hosts.get(0));
      driver.decisions().pipeInput("ws-1/e-1", created);
      driver.pipe(ledger);
      driver.hosts().pipeInput("ws-1//conv-1/", hosts.get(1));
      driver.decisions().pipeInput("ws-1/e-1", duplicate);
      driver.hosts().pipeInput("ws-1//conv-1/", hosts.get(2));
      driver.hosts().pipeInput("ws-1//conv-1/", hosts.get(3));
      driver.decisions().pipeInput("ws-1/e-1", duplicate);
      live = driver.queries().digests();
    }

    // and the rebuild folds it, reading the topics one after the other
    final Map<String, ViewDigest> digests;
    try (RebuildViews rebuilt = views()) {
      long offset = 0;
      for (final LedgerRecord r : ledger) {
        rebuilt.ledger(r.getRunId(), r, offset++);
      }
      hosts.forEach(rebuilt::hostEvent);
      rebuilt.decision("ws-1/e-1", created);
      rebuilt.decision("ws-1/e-1", duplicate);
      rebuilt.decision("ws-1/e-1", duplicate);
      digests = rebuilt.digests();
    }

    // then: hello, hi and next, once each
    assertThat(digests).isEqualTo(live);
    assertThat(live.get(ProjectionTopology.TRANSCRIPT_STORE).count()).isEqualTo(3);
    try (RebuildViews once = views()) {
      for (final LedgerRecord r : ledger) {
        once.ledger(r.getRunId(), r, 0);
      }
      once.hostEvent(hosts.get(0));
      once.hostEvent(hosts.get(2));
      assertThat(digests.get(ProjectionTopology.TRANSCRIPT_STORE))
          .isEqualTo(once.digests().get(ProjectionTopology.TRANSCRIPT_STORE));
    }
  }

  @Test
  void shouldDifferWhenOneViewDiffers() {
    // given
    try (RebuildViews one = views();
        RebuildViews other = views()) {
      final LedgerFixture run = new LedgerFixture("run-x");
      final LedgerRecord created = run.created();
      one.ledger("run-x", created, 0);
      other.ledger("run-x", created, 1);

      // then
      assertThat(one.digests().get(ProjectionTopology.RUNS_STORE))
          .isNotEqualTo(other.digests().get(ProjectionTopology.RUNS_STORE));
      assertThat(one.digests().get(ProjectionTopology.RUN_EVENTS_STORE))
          .isEqualTo(other.digests().get(ProjectionTopology.RUN_EVENTS_STORE));
    }
  }

  @Test
  void shouldDeleteItsStoresWhenClosed() {
    // given
    final RebuildViews views = views();
    views.ledger("run-x", new LedgerFixture("run-x").created(), 0);
    final Path dir = views.dir();
    assertThat(dir).isDirectory();

    // when
    views.close();

    // then
    assertThat(dir).doesNotExist();
    assertThat(dir.getParent()).isEmptyDirectory();
  }

  /** Empty rebuild views under the test's directory, with a small RocksDB budget. */
  private RebuildViews views() {
    return RebuildViews.create(
        rebuildDir, LedgerSerdes.singleObject(), new StreamsMemory.Budget(8L << 20, 2L << 20));
  }

  private static List<LedgerRecord> workload() {
    final List<LedgerRecord> records = new ArrayList<>();
    final LedgerFixture done = new LedgerFixture("run-done");
    records.add(done.created());
    records.add(done.claimed(1));
    records.add(
        done.result(1, "message.delta", new MessageDelta(new ChatMessage("assistant", "h"))));
    records.add(
        done.result(1, "state.updated", new StateUpdated("conversation", "conv-1", "k", "1")));
    records.add(done.message(1, "hi"));
    records.add(done.completed(1));
    records.add(done.failed(1, "late")); // late terminal: counted only
    final LedgerFixture fenced = new LedgerFixture("run-fenced");
    records.add(fenced.created());
    records.add(fenced.claimed(1));
    records.add(fenced.claimed(2));
    records.add(fenced.message(1, "never said"));
    records.add(fenced.failed(2, "cancelled"));
    final LedgerFixture timedOut = new LedgerFixture("run-timeout");
    records.add(timedOut.created());
    records.add(timedOut.timedOut());
    final LedgerFixture gone = new LedgerFixture("run-gone");
    records.add(gone.created());
    records.add(gone.claimed(1));
    return records;
  }

  private static HostEvent host(final String id, final String text) {
    return HostEvent.newBuilder()
        .setEventId(id)
        .setEventType("message.received")
        .setEventTime(LedgerFixture.START)
        .setWorkspaceId("ws-1")
        .setConversationId("conv-1")
        .setInput(EventInput.newBuilder().setText(text).build())
        .build();
  }

  private static DispatchDecision decision(final String eventId, final Decision decision) {
    return DispatchDecision.newBuilder()
        .setEventId(eventId)
        .setDecision(decision)
        .setRunId("run-done")
        .setDecidedAt(Instant.EPOCH)
        .build();
  }
}
