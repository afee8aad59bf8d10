package dev.runledger.orchestrator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.CancelRun;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.OwnRun;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.RunTrack;
import dev.runledger.orchestrator.dispatch.RunTracker;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.CancelMarks;
import dev.runledger.schemas.topics.LedgerTopics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tracker's deadline index lives in memory only: a task that starts on tracks already in its
 * store (after a restart or a rebalance) rebuilds it from them and times out the held runs due.
 */
class TrackerProcessorTest {
  private static final long DEADLINE_MS = 60_000;

  private final LedgerTopics topics = LedgerTopics.create(LedgerConfig.of(Map.of()));
  private final MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
  private final TrackerProcessor processor = new TrackerProcessor(Duration.ofSeconds(1));
  private KeyValueStore<String, RunTrack> tracks;

  @BeforeEach
  void givenAStoreOfTracks() {
    tracks =
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(DispatchTopology.STORE_RUN_TRACKS),
                Serdes.String(),
                topics.serdes().forType(RunTrack.class))
            .withLoggingDisabled()
            .build();
    tracks.init(context.getStateStoreContext(), tracks);
    context.addStateStore(tracks);
  }

  private static RunTrack held(final String runId, final long deadlineMs) {
    return RunTrack.newBuilder(RunTracker.fresh())
        .setRoutingKey("ws1/bot1/c1/")
        .setRun(
            OwnRun.newBuilder()
                .setRunId(runId)
                .setEventId("e-" + runId)
                .setBindingId("b1")
                .setRunnerId("builtin:echo/default")
                .setDeadlineMs(deadlineMs)
                .build())
        .build();
  }

  private List<Record<String, SpecificRecord>> punctuateAt(final long wallClockMs) {
    context.resetForwards();
    final MockProcessorContext.CapturedPunctuator deadlines = context.scheduledPunctuators().get(0);
    assertThat(deadlines.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
    deadlines.getPunctuator().punctuate(wallClockMs);
    return context.forwarded().stream()
        .map(
            f ->
                new Record<String, SpecificRecord>(
                    f.record().key(),
                    f.record().value(),
                    f.record().timestamp(),
                    f.record().headers()))
        .toList();
  }

  @Test
  void shouldTimeOutAHeldRunFoundInTheStoreAtStartOnceItsDeadlinePassed() {
    // given tracks stored before the task started: one due, one not yet
    tracks.put("run_due", held("run_due", DEADLINE_MS));
    tracks.put("run_later", held("run_later", DEADLINE_MS * 10));

    // when the task starts and its punctuator runs past the first deadline, twice
    processor.init(context);
    final List<Record<String, SpecificRecord>> first = punctuateAt(DEADLINE_MS + 1);
    final List<Record<String, SpecificRecord>> second = punctuateAt(DEADLINE_MS + 2);

    // then only the due run times out, once: RunTimedOut and CancelRun{timeout}, marked ended
    assertThat(first).extracting(Record::key).containsExactly("run_due", "run_due");
    final LedgerRecord timedOut = (LedgerRecord) first.get(0).value();
    assertThat(timedOut.getBody()).isInstanceOf(RunTimedOut.class);
    assertThat(timedOut.getSequence()).isEqualTo(2);
    final RunCommand cancel = (RunCommand) first.get(1).value();
    assertThat(((CancelRun) cancel.getKind()).getReason()).isEqualTo("timeout");
    assertThat(CancelMarks.of(first.get(1).headers())).contains(CancelMarks.ENDED);
    assertThat(tracks.get("run_due").getRun().getTimedOut()).isTrue();
    assertThat(second).isEmpty();
  }
}
