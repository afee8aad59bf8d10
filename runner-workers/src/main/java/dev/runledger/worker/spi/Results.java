package dev.runledger.worker.spi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.ActionRequested;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ArtifactCreated;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.StateUpdated;
import dev.runledger.avro.ToolCallCompleted;
import dev.runledger.avro.ToolCallStarted;
import dev.runledger.avro.UnknownResult;
import dev.runledger.schemas.json.AvroJson;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builders for the results runners emit, with the result type names of ARCHITECTURE.md §3
 * (docs/runner-protocol.md §4.1). The {@code type} always matches the payload.
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

  /** A tool call began. */
  public static final String TOOL_CALL_STARTED = "tool.call.started";

  /** A tool call ended. */
  public static final String TOOL_CALL_COMPLETED = "tool.call.completed";

  /** An artifact was produced. */
  public static final String ARTIFACT_CREATED = "artifact.created";

  /** A state key was set or deleted. */
  public static final String STATE_UPDATED = "state.updated";

  /** The runner asks the host to do something. */
  public static final String ACTION_REQUESTED = "action.requested";

  /** The payload class of each known result type. */
  public static final Map<String, Class<? extends SpecificRecord>> PAYLOADS =
      Map.of(
          MESSAGE_DELTA, MessageDelta.class,
          MESSAGE_COMPLETED, MessageCompleted.class,
          TOOL_CALL_STARTED, ToolCallStarted.class,
          TOOL_CALL_COMPLETED, ToolCallCompleted.class,
          ARTIFACT_CREATED, ArtifactCreated.class,
          STATE_UPDATED, StateUpdated.class,
          ACTION_REQUESTED, ActionRequested.class,
          RUN_COMPLETED, RunCompleted.class,
          RUN_FAILED, RunFailed.class);

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

  /**
   * A result from its wire form {@code {"type": T, "data": {...}}} (the stdio and HTTP runner
   * protocols, the scenario runner): {@code data} is the JSON form (ARCHITECTURE.md §9.1, {@link
   * AvroJson}) of the payload record of {@code type}; a type this version does not know becomes an
   * {@code UnknownResult} carrying {@code data} as JSON.
   *
   * @throws dev.runledger.schemas.json.JsonFieldException when {@code data} does not fit the type
   */
  public static AgentRunResult fromJson(final String type, final JsonNode data) {
    final JsonNode payload =
        data == null || data.isNull() ? AvroJson.mapper().createObjectNode() : data;
    final Class<? extends SpecificRecord> payloadClass = PAYLOADS.get(type);
    if (payloadClass == null) {
      return new AgentRunResult(
          type, UnknownResult.newBuilder().setType(type).setDataJson(payload.toString()).build());
    }
    return new AgentRunResult(type, AvroJson.fromJson(payload, payloadClass));
  }

  /** {@code action.requested{action, target, payload_json}}. */
  public static AgentRunResult actionRequested(
      final String action, final String target, final JsonNode payload) {
    return new AgentRunResult(
        ACTION_REQUESTED,
        ActionRequested.newBuilder()
            .setAction(action)
            .setTarget(target)
            .setPayloadJson(payload == null ? null : payload.toString())
            .build());
  }
}
