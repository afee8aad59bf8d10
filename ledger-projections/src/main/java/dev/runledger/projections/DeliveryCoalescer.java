package dev.runledger.projections;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.OutboundKind;
import dev.runledger.avro.OutboundMessage;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns a run's applied message results into the {@code deliveries} topic (key conversation key,
 * value {@code OutboundMessage}): {@code message.delta} chunks are appended to a per-run buffer
 * (store {@value ProjectionTopology#DELIVERY_BUFFER_STORE}) that is sent as one {@code DELTA} every
 * coalescing interval, when it grows past {@link #MAX_BUFFER_CHARS} and when the run ends; a {@code
 * message.completed} replaces the unsent buffer and is sent as one {@code COMPLETED} message.
 */
final class DeliveryCoalescer implements Processor<String, Emission, String, OutboundMessage> {
  /** A buffer this long is sent at once. */
  static final int MAX_BUFFER_CHARS = 4096;

  private final Duration interval;
  private ProcessorContext<String, OutboundMessage> context;
  private KeyValueStore<String, OutboundMessage> buffers;

  DeliveryCoalescer(final Duration interval) {
    this.interval = interval;
  }

  @Override
  public void init(final ProcessorContext<String, OutboundMessage> context) {
    this.context = context;
    this.buffers = context.getStateStore(ProjectionTopology.DELIVERY_BUFFER_STORE);
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> flushAll());
  }

  @Override
  public void process(final Record<String, Emission> record) {
    final LedgerRecord entry = (LedgerRecord) record.value().view();
    final Object payload = ((AgentRunResult) entry.getBody()).getPayload();
    final String runId = entry.getRunId();
    if (payload instanceof MessageDelta delta) {
      final OutboundMessage pending = buffers.get(runId);
      final OutboundMessage next =
          pending == null ? start(entry, delta) : append(pending, entry, delta);
      if (next.getMessage().getContent().length() >= MAX_BUFFER_CHARS) {
        send(next);
        buffers.delete(runId);
      } else {
        buffers.put(runId, next);
      }
    } else if (payload instanceof MessageCompleted completed) {
      final OutboundMessage pending = buffers.get(runId);
      if (pending != null) {
        buffers.delete(runId); // a delete of nothing still writes a changelog tombstone
      }
      send(
          OutboundMessage.newBuilder()
              .setConversationKey(entry.getConversationKey())
              .setRunId(runId)
              .setKind(OutboundKind.COMPLETED)
              .setMessage(copy(completed.getMessage()))
              .setFromSequence(pending == null ? entry.getSequence() : pending.getFromSequence())
              .setToSequence(entry.getSequence())
              .setTimestamp(entry.getTimestamp())
              .build());
    } else if (payload instanceof RunCompleted || payload instanceof RunFailed) {
      final OutboundMessage pending = buffers.get(runId);
      if (pending != null) {
        buffers.delete(runId);
        send(pending);
      }
    }
  }

  private void flushAll() {
    final List<KeyValue<String, OutboundMessage>> pending = new ArrayList<>();
    try (KeyValueIterator<String, OutboundMessage> it = buffers.all()) {
      it.forEachRemaining(pending::add);
    }
    for (final KeyValue<String, OutboundMessage> kv : pending) {
      buffers.delete(kv.key);
      send(kv.value);
    }
  }

  private void send(final OutboundMessage message) {
    context.forward(
        new Record<>(message.getConversationKey(), message, message.getTimestamp().toEpochMilli()));
  }

  private static OutboundMessage start(final LedgerRecord entry, final MessageDelta delta) {
    return OutboundMessage.newBuilder()
        .setConversationKey(entry.getConversationKey())
        .setRunId(entry.getRunId())
        .setKind(OutboundKind.DELTA)
        .setMessage(copy(delta.getChunk()))
        .setFromSequence(entry.getSequence())
        .setToSequence(entry.getSequence())
        .setTimestamp(entry.getTimestamp())
        .build();
  }

  private static OutboundMessage append(
      final OutboundMessage pending, final LedgerRecord entry, final MessageDelta delta) {
    return OutboundMessage.newBuilder(pending)
        .setMessage(
            new ChatMessage(
                pending.getMessage().getRole(),
                pending.getMessage().getContent() + delta.getChunk().getContent()))
        .setToSequence(entry.getSequence())
        .setTimestamp(entry.getTimestamp())
        .build();
  }

  private static ChatMessage copy(final ChatMessage message) {
    return new ChatMessage(message.getRole(), message.getContent());
  }
}
