package dev.runledger.worker.runners;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.MessageDelta;
import dev.runledger.worker.spi.Results;
import dev.runledger.worker.spi.RunSession;
import java.util.Objects;

/**
 * Emits one run's result messages ({@link ResultLines}) with secrets masked across {@code
 * message.delta} boundaries: a secret split over successive deltas of one role is caught by masking
 * what was held back of the previous delta together with the next one. Only the end of a delta that
 * could be the start of a secret is held ({@link Redactor#heldTail}, shorter than the longest
 * secret), and it is emitted before any other result, before a delta of another role, and by {@link
 * #flush} when the stream ends. Each message's own values are masked by the caller ({@link
 * Redactor#redact(JsonNode)}). One per run, used by the thread that reads the runner's output.
 */
final class RedactedResults {
  private final Redactor redactor;
  private final RunSession session;

  /** The delta whose content ends in what may be the start of a secret; null when none. */
  private MessageDelta held;

  RedactedResults(final Redactor redactor, final RunSession session) {
    this.redactor = redactor;
    this.session = session;
  }

  /**
   * Emits the result of one (already masked) message, as {@link ResultLines#emit} does.
   *
   * @return whether it was the run's terminal
   */
  boolean emit(final String type, final JsonNode data) {
    if (!Results.MESSAGE_DELTA.equals(type)) {
      flush();
      return ResultLines.emit(type, data, session);
    }
    final AgentRunResult result = ResultLines.toResult(type, data, session.hostApi());
    if (result != null && result.getPayload() instanceof MessageDelta delta) {
      delta(delta);
    }
    return false;
  }

  /** Emits what is held of the last delta. */
  void flush() {
    if (held != null) {
      final MessageDelta delta = held;
      held = null;
      session.emit(new AgentRunResult(Results.MESSAGE_DELTA, delta));
    }
  }

  private void delta(final MessageDelta delta) {
    final ChatMessage chunk = delta.getChunk();
    if (held != null && !Objects.equals(held.getChunk().getRole(), chunk.getRole())) {
      flush();
    }
    final String joined =
        redactor.redact(
            held == null ? chunk.getContent() : held.getChunk().getContent() + chunk.getContent());
    final int tail = redactor.heldTail(joined);
    held = tail == 0 ? null : withContent(delta, joined.substring(joined.length() - tail));
    final String ready = joined.substring(0, joined.length() - tail);
    if (!ready.isEmpty() || (tail == 0 && chunk.getContent().isEmpty())) {
      session.emit(new AgentRunResult(Results.MESSAGE_DELTA, withContent(delta, ready)));
    }
  }

  private static MessageDelta withContent(final MessageDelta delta, final String content) {
    return MessageDelta.newBuilder(delta)
        .setChunk(ChatMessage.newBuilder(delta.getChunk()).setContent(content).build())
        .build();
  }
}
