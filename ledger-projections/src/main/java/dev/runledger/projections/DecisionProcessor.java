package dev.runledger.projections;

import dev.runledger.avro.DispatchDecision;
import dev.runledger.projections.fold.Projector;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.schemas.topics.Topic;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Keeps the decision of each event in the {@code dispatch-decisions} store under the topic's key
 * {@code workspace_id/event_id} ({@link Projector#decision}: a later {@code duplicate} never
 * replaces the original decision); a tombstone removes it. A record whose key does not name its
 * event id under a workspace is a dead letter. Forwards only dead letters.
 */
final class DecisionProcessor extends TopicProcessor<DispatchDecision> {
  DecisionProcessor(final Topic<String, DispatchDecision> topic) {
    super(topic, DispatchDecision::getEventId, ViewKeys::decisionEventId);
  }

  @Override
  boolean forget(final Projector projector, final String key) {
    // the topic is compacted: a tombstone forgets the event's decision
    projector.decision(key, null);
    return true;
  }

  @Override
  void project(final Record<byte[], byte[]> in, final String key, final DispatchDecision value) {
    projector().decision(key, value);
  }
}
