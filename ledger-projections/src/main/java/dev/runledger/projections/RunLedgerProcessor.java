package dev.runledger.projections;

import dev.runledger.avro.LedgerRecord;
import dev.runledger.projections.fold.FoldOutcome;
import dev.runledger.projections.fold.Projection;
import dev.runledger.projections.fold.Projector;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.schemas.topics.Topic;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects each ledger record into the {@code runs}, {@code run-events} and {@code runs-index}
 * stores ({@link Projector#ledger}). Forwards dead letters, and for applied records the transcript
 * item of a {@code message.completed} (keyed by conversation), the state update of a {@code
 * state.updated} (keyed by {@code scope/scope_id}) and the results the deliveries carry (keyed by
 * run). A tombstone (null value) for a run id is a cleanup ({@link Projector#remove}).
 */
final class RunLedgerProcessor implements Processor<byte[], byte[], String, Emission> {
  private static final Logger LOG = LoggerFactory.getLogger(RunLedgerProcessor.class);

  private final TolerantDecoder<LedgerRecord> decoder;
  private ProcessorContext<String, Emission> context;
  private Projector projector;

  RunLedgerProcessor(final Topic<String, LedgerRecord> ledger) {
    this.decoder = new TolerantDecoder<>(ledger, LedgerRecord::getRunId);
  }

  @Override
  public void init(final ProcessorContext<String, Emission> context) {
    this.context = context;
    this.projector = new Projector(new StorePort(context));
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    final String key = TolerantDecoder.keyOf(record);
    if (record.value() == null && key != null) {
      if (projector.remove(key)) {
        LOG.info("run {} removed from the views by a cleanup tombstone", key);
      }
      return;
    }
    final Optional<LedgerRecord> decoded = decoder.decode(context, record);
    if (decoded.isEmpty()) {
      return;
    }
    final LedgerRecord entry = decoded.get();
    final long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    projector
        .ledger(key, entry, offset)
        .ifPresent(
            projected -> {
              emit(record, entry, projected);
              report(entry, projected.fold().outcome(), offset);
            });
  }

  private void emit(
      final Record<byte[], byte[]> in, final LedgerRecord entry, final Projection projected) {
    projected
        .message()
        .ifPresent(
            item ->
                context.forward(
                    in.withKey(item.getConversationId())
                        .withValue(Emission.of(Emission.Kind.TRANSCRIPT, item))));
    projected
        .stateUpdate()
        .ifPresent(
            update ->
                context.forward(
                    in.withKey(ViewKeys.stateOwner(update.getScope(), update.getScopeId()))
                        .withValue(Emission.of(Emission.Kind.STATE, update))));
    if (projected.delivers()) {
      context.forward(
          in.withKey(entry.getRunId()).withValue(Emission.of(Emission.Kind.DELIVERY, entry)));
    }
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
