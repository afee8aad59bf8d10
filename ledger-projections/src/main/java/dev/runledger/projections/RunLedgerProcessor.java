package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.FoldOutcome;
import dev.runledger.projections.fold.Projection;
import dev.runledger.projections.fold.Projector;
import dev.runledger.schemas.topics.Topic;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects each ledger record into the {@code runs}, {@code run-events} and {@code runs-index}
 * stores ({@link Projector#ledger}). Forwards dead letters, and for applied records the transcript
 * item of a {@code message.completed} (keyed by {@code workspace_id/conversation_id}), the state
 * update of a {@code state.updated} (keyed by {@code workspace_id/scope/scope_id}) and the results
 * the deliveries carry (keyed by run). A tombstone (null value) for a run id is a cleanup ({@link
 * Projector#remove}).
 */
final class RunLedgerProcessor extends TopicProcessor<LedgerRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(RunLedgerProcessor.class);

  private final Consumer<AgentRun> written;

  /**
   * @param written told of each run as the fold writes it to the {@code runs} view
   */
  RunLedgerProcessor(final Topic<String, LedgerRecord> ledger, final Consumer<AgentRun> written) {
    super(ledger, LedgerRecord::getRunId);
    this.written = written;
  }

  /**
   * The index keeps no changelog: it is rebuilt from the restored runs ({@link RunsIndexRebuild}).
   */
  @Override
  void started(final ProcessorContext<String, Emission> context) {
    RunsIndexRebuild.rebuild(
        context.getStateStore(ProjectionTopology.RUNS_STORE),
        context.getStateStore(ProjectionTopology.RUNS_INDEX_STORE));
  }

  @Override
  boolean forget(final Projector projector, final String key) {
    if (projector.remove(key)) {
      LOG.info("run {} removed from the views by a cleanup tombstone", key);
    }
    return true;
  }

  @Override
  void project(final Record<byte[], byte[]> in, final String key, final LedgerRecord entry) {
    final long offset = offset();
    projector()
        .ledger(key, entry, offset)
        .ifPresent(
            projected -> {
              written.accept(projected.fold().run());
              emit(in, entry, projected);
              report(entry, projected.fold().outcome(), offset);
            });
  }

  /** Forwards what the projection passes on, each under the key its branch is partitioned by. */
  private void emit(
      final Record<byte[], byte[]> in, final LedgerRecord entry, final Projection projected) {
    projected.passOn(
        new Projection.Downstream() {
          @Override
          public void transcript(final TranscriptItem item) {
            forward(in, Projector.conversationKey(item), Emission.Kind.TRANSCRIPT, item);
          }

          @Override
          public void state(final StateEntry update) {
            forward(in, Projector.stateOwner(update), Emission.Kind.STATE, update);
          }

          @Override
          public void delivery() {
            forward(in, entry.getRunId(), Emission.Kind.DELIVERY, entry);
          }
        });
  }

  private static void report(final LedgerRecord entry, final FoldOutcome outcome, final long at) {
    if (outcome == FoldOutcome.INVALID_RESULT || outcome == FoldOutcome.UNKNOWN_RESULT) {
      LOG.warn(
          "run {} attempt {} sequence {} (offset {}): {} result not applied",
          entry.getRunId(),
          entry.getAttempt(),
          entry.getSequence(),
          at,
          outcome == FoldOutcome.INVALID_RESULT ? "invalid" : "unknown");
    } else if (outcome != FoldOutcome.APPLIED) {
      LOG.debug(
          "run {} attempt {} sequence {} (offset {}): {}",
          entry.getRunId(),
          entry.getAttempt(),
          entry.getSequence(),
          at,
          outcome);
    }
  }
}
