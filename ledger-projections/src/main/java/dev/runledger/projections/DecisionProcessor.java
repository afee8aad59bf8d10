package dev.runledger.projections;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.projections.fold.Projector;
import dev.runledger.schemas.topics.Topic;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Keeps the decision of each event id in the {@code dispatch-decisions} store ({@link
 * Projector#decision}: a later {@code duplicate} never replaces the original decision); a tombstone
 * removes it. Forwards only dead letters.
 */
final class DecisionProcessor implements Processor<byte[], byte[], String, Emission> {
  private final TolerantDecoder<DispatchDecision> decoder;
  private ProcessorContext<String, Emission> context;
  private Projector projector;

  DecisionProcessor(final Topic<String, DispatchDecision> topic) {
    this.decoder = new TolerantDecoder<>(topic, DispatchDecision::getEventId);
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
      // the topic is compacted: a tombstone forgets the event's decision
      projector.decision(key, null);
      return;
    }
    decoder.decode(context, record).ifPresent(decision -> projector.decision(key, decision));
  }
}
