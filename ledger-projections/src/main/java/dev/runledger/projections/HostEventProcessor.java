package dev.runledger.projections;

import dev.runledger.avro.HostEvent;
import dev.runledger.projections.fold.Projector;
import dev.runledger.schemas.topics.Topic;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Reads host events tolerantly: the user message of each {@code message.received} event ({@link
 * Projector#hostEvent}) goes on keyed by its workspace and conversation ({@code
 * workspace_id/conversation_id}), undecodable records become dead letters.
 */
final class HostEventProcessor extends TopicProcessor<HostEvent> {
  HostEventProcessor(final Topic<String, HostEvent> topic) {
    // keys are conversation keys, not ids in the value: not checked here (the gateway does)
    super(topic, null);
  }

  @Override
  void project(final Record<byte[], byte[]> in, final String key, final HostEvent value) {
    projector()
        .hostEvent(value)
        .ifPresent(
            item -> forward(in, Projector.conversationKey(item), Emission.Kind.TRANSCRIPT, item));
  }
}
