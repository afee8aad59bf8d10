package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.projections.fold.FoldOutcome;
import dev.runledger.projections.fold.FoldResult;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.schemas.topics.Topic;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each ledger record into the {@code runs} store with {@link RunFold} and appends the event
 * it yields to the {@code run-events} store. Forwards only dead letters.
 */
final class RunLedgerProcessor implements Processor<byte[], byte[], byte[], byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(RunLedgerProcessor.class);

  private final TolerantDecoder<LedgerRecord> decoder;
  private ProcessorContext<byte[], byte[]> context;
  private KeyValueStore<String, AgentRun> runs;
  private KeyValueStore<String, AgentRunEvent> events;

  RunLedgerProcessor(final Topic<String, LedgerRecord> ledger) {
    this.decoder = new TolerantDecoder<>(ledger, LedgerRecord::getRunId);
  }

  @Override
  public void init(final ProcessorContext<byte[], byte[]> context) {
    this.context = context;
    this.runs = context.getStateStore(ProjectionTopology.RUNS_STORE);
    this.events = context.getStateStore(ProjectionTopology.RUN_EVENTS_STORE);
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    final Optional<LedgerRecord> decoded = decoder.decode(context, record);
    if (decoded.isEmpty()) {
      return;
    }
    final LedgerRecord entry = decoded.get();
    final long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    final FoldResult result = RunFold.apply(runs.get(entry.getRunId()), entry, offset);
    runs.put(entry.getRunId(), result.run());
    result
        .event()
        .ifPresent(event -> events.put(RunEventKeys.key(event.getRunId(), event.getSeq()), event));
    report(entry, result.outcome(), offset);
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
