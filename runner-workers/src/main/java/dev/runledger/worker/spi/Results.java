package dev.runledger.worker.spi;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;

/**
 * Builders for the results runners emit, with the result type names of SPEC §4 (PROTOCOL_V1 §7.2).
 * The {@code type} always matches the payload.
 */
public final class Results {
  /** A streamed chunk of a message. */
  public static final String MESSAGE_DELTA = "message.delta";

  /** A whole message. */
  public static final String MESSAGE_COMPLETED = "message.completed";

  /** The attempt ended well (terminal). */
  public static final String RUN_COMPLETED = "run.completed";

  /** The attempt ended badly (terminal). */
  public static final String RUN_FAILED = "run.failed";

  /** The role of messages a runner writes. */
  public static final String ASSISTANT = "assistant";

  /** The finish reason of a run that ended normally. */
  public static final String STOP = "stop";

  private Results() {}

  /** {@code message.delta{chunk{role=assistant, content}}}. */
  public static AgentRunResult delta(final String content) {
    return new AgentRunResult(
        MESSAGE_DELTA, MessageDelta.newBuilder().setChunk(assistant(content)).build());
  }

  /** {@code message.completed{message{role=assistant, content}}}. */
  public static AgentRunResult messageCompleted(final String content) {
    return new AgentRunResult(
        MESSAGE_COMPLETED, MessageCompleted.newBuilder().setMessage(assistant(content)).build());
  }

  /** {@code run.completed{finish_reason, message?}}; {@code message} may be null. */
  public static AgentRunResult completed(final String finishReason, final ChatMessage message) {
    return new AgentRunResult(
        RUN_COMPLETED,
        RunCompleted.newBuilder().setFinishReason(finishReason).setMessage(message).build());
  }

  /** {@code run.failed{code, error, retryable}}. */
  public static AgentRunResult failed(
      final String code, final String error, final boolean retryable) {
    return new AgentRunResult(
        RUN_FAILED,
        RunFailed.newBuilder().setCode(code).setError(error).setRetryable(retryable).build());
  }

  /** An assistant message with this content. */
  public static ChatMessage assistant(final String content) {
    return ChatMessage.newBuilder().setRole(ASSISTANT).setContent(content).build();
  }

  /** True for {@code run.completed} and {@code run.failed}: the result ends the attempt. */
  public static boolean isTerminal(final AgentRunResult result) {
    return result.getPayload() instanceof RunCompleted || result.getPayload() instanceof RunFailed;
  }
}
