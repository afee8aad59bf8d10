package dev.runledger.orchestrator;

import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.serde.DecodeException;
import dev.runledger.schemas.topics.Topic;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes and validates ingest records (SPEC §5.1). Bytes that do not decode go to the DLQ; an
 * event that decodes but fails validation goes to the DLQ with code {@value
 * DlqHeaders#EVENT_INVALID} and gets an {@code invalid} decision (when it has an event id to key it
 * by). Valid events go on, keyed by event id.
 */
final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeProcessor.class);

  private final Topic<String, HostEvent> hostEvents;
  private final Deserializer<HostEvent> deserializer;
  private ProcessorContext<Object, Object> context;

  DecodeProcessor(final Topic<String, HostEvent> hostEvents) {
    this.hostEvents = hostEvents;
    this.deserializer = hostEvents.valueSerde().deserializer();
  }

  @Override
  public void init(final ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    if (record.value() == null) {
      deadLetter(record, DlqHeaders.EMPTY_VALUE, "record has no value; a host event needs one");
      return;
    }
    final HostEvent event;
    try {
      event = deserializer.deserialize(hostEvents.name(), record.value());
    } catch (final SerializationException e) {
      final String code =
          e instanceof DecodeException decode ? decode.code() : DecodeException.CORRUPT;
      deadLetter(record, code, e.getMessage());
      return;
    }
    final Optional<String> problem = HostEventValidator.problem(event);
    if (problem.isPresent()) {
      deadLetter(record, DlqHeaders.EVENT_INVALID, problem.get());
      if (!event.getEventId().isBlank()) {
        final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        context.forward(
            new Record<>(
                event.getEventId(),
                Decisions.invalid(event.getEventId(), DlqHeaders.EVENT_INVALID, now),
                record.timestamp()),
            DispatchTopology.SINK_DECISIONS);
      }
      return;
    }
    context.forward(
        new Record<>(event.getEventId(), event, record.timestamp()),
        DispatchTopology.PROCESSOR_DEDUPE);
  }

  private void deadLetter(
      final Record<byte[], byte[]> record, final String code, final String why) {
    final Optional<RecordMetadata> source = context.recordMetadata();
    final String topic = source.map(RecordMetadata::topic).orElse(hostEvents.name());
    final String partition = source.map(m -> Integer.toString(m.partition())).orElse("-1");
    final String offset = source.map(m -> Long.toString(m.offset())).orElse("-1");
    LOG.warn("dead letter from {}-{}@{}: {}: {}", topic, partition, offset, code, why);
    final Headers headers = new RecordHeaders(record.headers().toArray());
    TextHeaders.put(headers, DlqHeaders.ERROR_CODE, code);
    TextHeaders.put(headers, DlqHeaders.ERROR_MESSAGE, why == null ? code : why);
    TextHeaders.put(headers, DlqHeaders.SOURCE_TOPIC, topic);
    TextHeaders.put(headers, DlqHeaders.SOURCE_PARTITION, partition);
    TextHeaders.put(headers, DlqHeaders.SOURCE_OFFSET, offset);
    context.forward(record.withHeaders(headers), DispatchTopology.SINK_DLQ);
  }
}
