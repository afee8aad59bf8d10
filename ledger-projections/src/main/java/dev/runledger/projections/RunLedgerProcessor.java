package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.projections.fold.FoldOutcome;
import dev.runledger.projections.fold.FoldResult;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.projections.fold.ViewFolds;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.schemas.topics.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each ledger record into the {@code runs} store with {@link RunFold}, appends the event it
 * yields to {@code run-events} and keeps the run's index keys in {@code runs-index}. Forwards dead
 * letters, and for applied records the transcript item of a {@code message.completed} (keyed by
 * conversation), the state update of a {@code state.updated} (keyed by {@code scope/scope_id}) and
 * the results the deliveries carry (keyed by run). A tombstone (null value) for a run id is a
 * cleanup: the run leaves {@code runs}, {@code run-events} and the index.
 */
final class RunLedgerProcessor implements Processor<byte[], byte[], String, Emission> {
  private static final Logger LOG = LoggerFactory.getLogger(RunLedgerProcessor.class);

  private final TolerantDecoder<LedgerRecord> decoder;
  private ProcessorContext<String, Emission> context;
  private KeyValueStore<String, AgentRun> runs;
  private KeyValueStore<String, AgentRunEvent> events;
  private KeyValueStore<String, String> index;

  RunLedgerProcessor(final Topic<String, LedgerRecord> ledger) {
    this.decoder = new TolerantDecoder<>(ledger, LedgerRecord::getRunId);
  }

  @Override
  public void init(final ProcessorContext<String, Emission> context) {
    this.context = context;
    this.runs = context.getStateStore(ProjectionTopology.RUNS_STORE);
    this.events = context.getStateStore(ProjectionTopology.RUN_EVENTS_STORE);
    this.index = context.getStateStore(ProjectionTopology.RUNS_INDEX_STORE);
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    final String key = TolerantDecoder.keyOf(record);
    if (record.value() == null && key != null) {
      remove(key);
      return;
    }
    final Optional<LedgerRecord> decoded = decoder.decode(context, record);
    if (decoded.isEmpty()) {
      return;
    }
    final LedgerRecord entry = decoded.get();
    final long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
    final AgentRun before = runs.get(entry.getRunId());
    final FoldResult result = RunFold.apply(before, entry, offset);
    runs.put(entry.getRunId(), result.run());
    reindex(before, result.run());
    result
        .event()
        .ifPresent(event -> events.put(RunEventKeys.key(event.getRunId(), event.getSeq()), event));
    if (result.outcome() == FoldOutcome.APPLIED) {
      emit(record, result.run(), entry);
    }
    report(entry, result.outcome(), offset);
  }

  private void emit(final Record<byte[], byte[]> in, final AgentRun run, final LedgerRecord entry) {
    ViewFolds.assistantMessage(run, entry)
        .ifPresent(
            item ->
                context.forward(
                    in.withKey(item.getConversationId())
                        .withValue(Emission.of(Emission.Kind.TRANSCRIPT, item))));
    ViewFolds.stateUpdate(run, entry)
        .ifPresent(
            update ->
                context.forward(
                    in.withKey(ViewKeys.stateOwner(update.getScope(), update.getScopeId()))
                        .withValue(Emission.of(Emission.Kind.STATE, update))));
    if (entry.getBody() instanceof AgentRunResult && entry.getConversationKey() != null) {
      context.forward(
          in.withKey(entry.getRunId()).withValue(Emission.of(Emission.Kind.DELIVERY, entry)));
    }
  }

  private void reindex(final AgentRun before, final AgentRun after) {
    final Set<String> now = ViewKeys.indexKeys(after);
    final Set<String> old = before == null ? Set.of() : ViewKeys.indexKeys(before);
    old.stream().filter(k -> !now.contains(k)).forEach(index::delete);
    now.stream().filter(k -> !old.contains(k)).forEach(k -> index.put(k, after.getRunId()));
  }

  /** A cleanup tombstone: forgets the run's view, events and index keys. */
  private void remove(final String runId) {
    final AgentRun run = runs.get(runId);
    if (run == null) {
      return;
    }
    ViewKeys.indexKeys(run).forEach(index::delete);
    final List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, AgentRunEvent> it =
        events.range(RunEventKeys.after(runId, 0), RunEventKeys.last(runId))) {
      it.forEachRemaining((final KeyValue<String, AgentRunEvent> kv) -> keys.add(kv.key));
    }
    keys.forEach(events::delete);
    runs.delete(runId);
    LOG.info("run {} removed from the views by a cleanup tombstone", runId);
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
