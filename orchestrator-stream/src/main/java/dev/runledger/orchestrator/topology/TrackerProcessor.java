package dev.runledger.orchestrator.topology;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunTrack;
import dev.runledger.orchestrator.dispatch.RunTracker;
import dev.runledger.schemas.topics.CancelMarks;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Feeds ledger records and run-control commands (keyed by run id) through {@link RunTracker},
 * keeping each run's {@link RunTrack} in {@value DispatchTopology#STORE_RUN_TRACKS}, and forwards
 * the resulting {@link RunNotice}s keyed by routing key to the run-notices repartition.
 */
final class TrackerProcessor implements Processor<String, Object, String, RunNotice> {
  private ProcessorContext<String, RunNotice> context;
  private KeyValueStore<String, RunTrack> tracks;

  @Override
  public void init(final ProcessorContext<String, RunNotice> context) {
    this.context = context;
    this.tracks = context.getStateStore(DispatchTopology.STORE_RUN_TRACKS);
  }

  @Override
  public void process(final Record<String, Object> record) {
    final RunTracker.Step step;
    final String runId;
    final RunTrack previous;
    if (record.value() instanceof LedgerRecord ledger) {
      runId = ledger.getRunId();
      previous = tracks.get(runId);
      step = RunTracker.onLedger(previous, ledger);
    } else if (record.value() instanceof RecordDecoder.Forget) {
      // `ledger cleanup` removed the run from the views; its track goes too.
      tracks.delete(record.key());
      return;
    } else if (record.value() instanceof RunCommand command) {
      runId = command.getRunId();
      previous = tracks.get(runId);
      step = RunTracker.onControl(previous, command, CancelMarks.of(record.headers()).isPresent());
    } else {
      return;
    }
    // Most ledger records (results, liveness) change nothing; only changes reach the changelog.
    if (!step.track().equals(previous == null ? RunTracker.fresh() : previous)) {
      tracks.put(runId, step.track());
    }
    step.notice()
        .ifPresent(
            notice ->
                context.forward(
                    new Record<>(step.routingKey(), notice, record.timestamp(), record.headers())));
  }
}
