package dev.runledger.orchestrator.topology;

import dev.runledger.avro.Decision;
import dev.runledger.avro.HostEvent;
import dev.runledger.orchestrator.dispatch.Decisions;
import dev.runledger.orchestrator.dispatch.HostEventValidator;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.schemas.topics.DeadLetterDecoder;
import dev.runledger.schemas.topics.Topic;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Decodes and validates ingest records (ARCHITECTURE.md §6.1). Bytes that do not decode go to the
 * DLQ; an event that decodes but fails validation goes to the DLQ with code {@value
 * HostEventValidator#EVENT_INVALID} (or {@value HostEventValidator#EVENT_INVALID_ID} for an id
 * holding the key separator) and gets an {@code invalid} decision with that reason (when it has an
 * event id to key it by). Valid events go on, keyed by {@code workspace_id/event_id}. A validation
 * that fails unexpectedly ends the event with a {@link FailedDispatch} decision through the same
 * child as invalid ones.
 */
final class DecodeProcessor extends DecodingProcessor<HostEvent> {
  private final String invalid;
  private final String next;

  /**
   * Sends dead letters to the child {@code dlq}, invalid decisions to {@code invalid} and valid
   * events to {@code next}.
   */
  DecodeProcessor(
      final Topic<String, HostEvent> hostEvents,
      final String dlq,
      final String invalid,
      final String next) {
    super(
        hostEvents,
        DeadLetterDecoder.of(hostEvents).whenEmpty("record has no value; a host event needs one"),
        dlq);
    this.invalid = invalid;
    this.next = next;
  }

  @Override
  void decoded(final Record<byte[], byte[]> record, final HostEvent event) {
    final ProcessorContext<Object, Object> context = context();
    final Optional<HostEventValidator.Problem> problem;
    try {
      problem = HostEventValidator.problem(event);
    } catch (final RuntimeException e) {
      final String id = event.getEventId();
      if (id != null && !id.isBlank()) {
        FailedDispatch.decide(
            context, new Outlet<>(invalid), null, "validating", event, record.timestamp(), e);
      }
      throw e;
    }
    if (problem.isPresent()) {
      deadLetter(record, problem.get().code(), problem.get().message());
      if (!event.getEventId().isBlank()) {
        final Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        context.forward(
            new Record<>(
                Decisions.key(event),
                Decisions.invalid(event, problem.get().code(), now),
                record.timestamp()),
            invalid);
        LedgerMeters.eventDecided(Decision.INVALID, problem.get().code());
      }
      return;
    }
    context.forward(new Record<>(Decisions.key(event), event, record.timestamp()), next);
  }
}
