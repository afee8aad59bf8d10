package dev.runledger.projections;

import dev.runledger.avro.HostEvent;
import dev.runledger.projections.fold.Projector;
import dev.runledger.schemas.topics.Topic;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads host events tolerantly: the user message of each {@code message.received} event ({@link
 * Projector#hostEvent}) goes on keyed by its conversation id, undecodable records become dead
 * letters.
 */
final class HostEventProcessor implements Processor<byte[], byte[], String, Emission> {
  private final TolerantDecoder<HostEvent> decoder;
  private ProcessorContext<String, Emission> context;
  private Projector projector;

  HostEventProcessor(final Topic<String, HostEvent> topic) {
    // keys are conversation keys, not ids in the value: not checked here (the gateway does)
    this.decoder = new TolerantDecoder<>(topic, null);
  }

  @Override
  public void init(final ProcessorContext<String, Emission> context) {
    this.context = context;
    this.projector = new Projector(new StorePort(context));
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    decoder
        .decode(context, record)
        .flatMap(projector::hostEvent)
        .ifPresent(
            item ->
                context.forward(
                    record
                        .withKey(item.getConversationId())
                        .withValue(Emission.of(Emission.Kind.TRANSCRIPT, item))));
  }
}
