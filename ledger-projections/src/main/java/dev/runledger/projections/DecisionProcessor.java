package dev.runledger.projections;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.projections.fold.ViewFolds;
import dev.runledger.schemas.topics.Topic;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the decision of each event id in the {@code dispatch-decisions} store ({@link
 * ViewFolds#applyDecision}: a later {@code duplicate} never replaces the original decision); a
 * tombstone removes it. Forwards only dead letters.
 */
final class DecisionProcessor implements Processor<byte[], byte[], String, Emission> {
  private final TolerantDecoder<DispatchDecision> decoder;
  private ProcessorContext<String, Emission> context;
  private KeyValueStore<String, DispatchDecision> decisions;

  DecisionProcessor(final Topic<String, DispatchDecision> topic) {
    this.decoder = new TolerantDecoder<>(topic, DispatchDecision::getEventId);
  }

  @Override
  public void init(final ProcessorContext<String, Emission> context) {
    this.context = context;
    this.decisions = context.getStateStore(ProjectionTopology.DECISIONS_STORE);
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    final String key = TolerantDecoder.keyOf(record);
    if (record.value() == null && key != null) {
      // the topic is compacted: a tombstone forgets the event's decision
      decisions.delete(key);
      return;
    }
    decoder
        .decode(context, record)
        .ifPresent(
            decision -> decisions.put(key, ViewFolds.applyDecision(decisions.get(key), decision)));
  }
}
