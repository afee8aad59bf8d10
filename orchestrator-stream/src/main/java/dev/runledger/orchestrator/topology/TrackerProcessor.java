package dev.runledger.orchestrator.topology;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunTrack;
import dev.runledger.orchestrator.dispatch.Effects;
import dev.runledger.orchestrator.dispatch.LanelessRuns;
import dev.runledger.orchestrator.dispatch.RunTracker;
import dev.runledger.schemas.topics.CancelMarks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds ledger records and run-control commands (keyed by run id) through {@link RunTracker},
 * keeping each live run's {@link RunTrack} in {@value DispatchTopology#STORE_RUN_TRACKS} (a track
 * goes when its run ends), and forwards the resulting {@link RunNotice}s keyed by routing key, for
 * the run-notices repartition.
 *
 * <p>A run started without a lane (its {@code RunCreated} carries {@value
 * DispatchTopology#LANE_HEADER}) is held in its track instead ({@link LanelessRuns}): its notices
 * are applied here and their records (attempt-0 ledger records keyed by run id, marked {@code
 * CancelRun}s) forwarded instead of the notice. Its deadline is timed out here too, by a wall-clock
 * punctuator over an in-memory index of the held runs' deadlines, rebuilt from the store whenever
 * the task starts; the store stays the only state, so no deadline costs a changelog record.
 */
final class TrackerProcessor implements Processor<String, Object, String, SpecificRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerProcessor.class);

  private final Duration deadlineCheckInterval;
  private ProcessorContext<String, SpecificRecord> context;
  private KeyValueStore<String, RunTrack> tracks;

  /** {@link DeadlineKeys} of the held runs still to time out, mirroring the store. */
  private NavigableSet<String> deadlines;

  TrackerProcessor(final Duration deadlineCheckInterval) {
    this.deadlineCheckInterval = deadlineCheckInterval;
  }

  @Override
  public void init(final ProcessorContext<String, SpecificRecord> context) {
    this.context = context;
    this.tracks = context.getStateStore(DispatchTopology.STORE_RUN_TRACKS);
    this.deadlines = new TreeSet<>();
    try (KeyValueIterator<String, RunTrack> it = tracks.all()) {
      while (it.hasNext()) {
        final KeyValue<String, RunTrack> entry = it.next();
        index(entry.key, entry.value);
      }
    }
    context.schedule(deadlineCheckInterval, PunctuationType.WALL_CLOCK_TIME, this::expire);
  }

  @Override
  public void process(final Record<String, Object> record) {
    final String runId;
    final RunTrack previous;
    final RunTracker.Step step;
    if (record.value() instanceof LedgerRecord ledger) {
      runId = ledger.getRunId();
      previous = tracks.get(runId);
      final boolean laneless =
          TextHeaders.get(record.headers(), DispatchTopology.LANE_HEADER)
              .filter(DispatchTopology.NO_LANE::equals)
              .isPresent();
      step = RunTracker.onLedger(previous, ledger, laneless);
    } else if (record.value() instanceof RecordDecoder.Forget) {
      // `ledger cleanup` removed the run from the views; its track goes too.
      save(record.key(), tracks.get(record.key()), null);
      return;
    } else if (record.value() instanceof RunCommand command) {
      runId = command.getRunId();
      previous = tracks.get(runId);
      step = RunTracker.onControl(previous, command, CancelMarks.of(record.headers()).isPresent());
    } else {
      return;
    }
    RunTrack track = step.track();
    if (step.notice().isPresent() && LanelessRuns.holds(track)) {
      final LanelessRuns.Step held =
          LanelessRuns.onNotice(track, step.notice().get(), now(context.currentSystemTimeMs()));
      track = held.track();
      write(held.effects(), record.timestamp());
    } else {
      step.notice()
          .ifPresent(
              notice -> forward(step.routingKey(), notice, record.timestamp(), record.headers()));
    }
    // An ended run's track goes: later records of the run find no routing key and stay quiet.
    save(runId, previous, track.getEnded() ? null : track);
  }

  /** Times out every held run whose deadline is before now (bounded per call). */
  private void expire(final long wallClockMs) {
    final List<String> due = new ArrayList<>();
    for (final String key : deadlines.headSet(DeadlineKeys.until(wallClockMs), true)) {
      if (due.size() >= ConversationProcessor.MAX_DEADLINES_PER_PUNCTUATION) {
        break;
      }
      due.add(key);
    }
    for (final String key : due) {
      final String runId = DeadlineKeys.runId(key);
      final RunTrack track = tracks.get(runId);
      if (!LanelessRuns.holds(track)) {
        deadlines.remove(key);
        continue;
      }
      LOG.info("run {} passed its deadline", runId);
      final LanelessRuns.Step held = LanelessRuns.onDeadline(track, now(wallClockMs));
      write(held.effects(), wallClockMs);
      save(runId, track, held.track());
    }
  }

  /**
   * Stores {@code track} (null: deletes it) over {@code previous} when it changed, keeping the
   * deadline index in step. Most ledger records (results, liveness, a held run's claim) change
   * nothing; only changes reach the changelog.
   */
  private void save(final String runId, final RunTrack previous, final RunTrack track) {
    if (track == null) {
      if (previous != null) {
        tracks.delete(runId);
      }
    } else if (!track.equals(previous == null ? RunTracker.fresh() : previous)) {
      tracks.put(runId, track);
    }
    LanelessRuns.pendingDeadline(previous)
        .ifPresent(ms -> deadlines.remove(DeadlineKeys.key(ms, runId)));
    index(runId, track);
  }

  private void index(final String runId, final RunTrack track) {
    LanelessRuns.pendingDeadline(track).ifPresent(ms -> deadlines.add(DeadlineKeys.key(ms, runId)));
  }

  private void write(final Effects effects, final long timestamp) {
    for (final LedgerRecord ledger : effects.ledger()) {
      context.forward(EffectRecords.ledger(effects, ledger, timestamp));
    }
    for (final RunCommand command : effects.control()) {
      context.forward(EffectRecords.control(effects, command, timestamp));
    }
  }

  private void forward(
      final String routingKey,
      final RunNotice notice,
      final long timestamp,
      final Headers headers) {
    context.forward(new Record<String, SpecificRecord>(routingKey, notice, timestamp, headers));
  }

  private static Instant now(final long ms) {
    return Instant.ofEpochMilli(ms);
  }
}
