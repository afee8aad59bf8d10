package dev.runledger.projections.fold;

import dev.runledger.avro.ActionRequested;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.ArtifactCreated;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.MessageDelta;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunLiveness;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.StateUpdated;
import dev.runledger.avro.SteeringDropped;
import dev.runledger.avro.SteeringInjected;
import dev.runledger.avro.SteeringQueued;
import dev.runledger.avro.ToolCallCompleted;
import dev.runledger.avro.ToolCallStarted;
import dev.runledger.avro.UnknownResult;
import dev.runledger.schemas.json.AvroJson;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Event type names and {@code data_json} of ledger records (the names every module shares: {@code
 * run.created}, {@code run.claimed}, the result's own type, {@code steering.queued}, ...).
 */
public final class RecordTypes {
  public static final String RUN_CREATED = "run.created";
  public static final String RUN_CLAIMED = "run.claimed";
  public static final String RUN_LIVENESS = "run.liveness";
  public static final String STEERING_QUEUED = "steering.queued";
  public static final String STEERING_INJECTED = "steering.injected";
  public static final String STEERING_DROPPED = "steering.dropped";
  public static final String CANCEL_REQUESTED = "cancel.requested";
  public static final String RUN_TIMED_OUT = "run.timed_out";
  public static final String HOST_API_CALL = "host_api.call";
  public static final String RUN_COMPLETED = "run.completed";
  public static final String RUN_FAILED = "run.failed";

  private static final Map<Class<?>, String> BODY_TYPES =
      Map.of(
          RunCreated.class, RUN_CREATED,
          RunClaimed.class, RUN_CLAIMED,
          RunLiveness.class, RUN_LIVENESS,
          SteeringQueued.class, STEERING_QUEUED,
          SteeringInjected.class, STEERING_INJECTED,
          SteeringDropped.class, STEERING_DROPPED,
          CancelRequested.class, CANCEL_REQUESTED,
          RunTimedOut.class, RUN_TIMED_OUT,
          HostApiCall.class, HOST_API_CALL);

  private static final Map<Class<?>, String> RESULT_TYPES =
      Map.of(
          MessageDelta.class, "message.delta",
          MessageCompleted.class, "message.completed",
          ToolCallStarted.class, "tool.call.started",
          ToolCallCompleted.class, "tool.call.completed",
          ArtifactCreated.class, "artifact.created",
          StateUpdated.class, "state.updated",
          ActionRequested.class, "action.requested",
          RunCompleted.class, RUN_COMPLETED,
          RunFailed.class, RUN_FAILED);

  private RecordTypes() {}

  /** The event type of a record: the result's own type for results, else the body's name. */
  public static String typeOf(final LedgerRecord record) {
    final Object body = record.getBody();
    if (body instanceof AgentRunResult result) {
      return result.getType();
    }
    final String type = BODY_TYPES.get(body.getClass());
    if (type == null) {
      throw new IllegalArgumentException("unknown ledger body " + body.getClass().getName());
    }
    return type;
  }

  /**
   * True when a result's payload is the one its type names. An {@link UnknownResult} always
   * matches: it exists to carry types this version does not know.
   */
  public static boolean payloadMatchesType(final AgentRunResult result) {
    final Object payload = result.getPayload();
    return payload instanceof UnknownResult
        || result.getType().equals(RESULT_TYPES.get(payload.getClass()));
  }

  /** The record's data as JSON text: the result payload for results, else the body. */
  public static String dataJsonOf(final LedgerRecord record) {
    final Object body = record.getBody();
    if (body instanceof AgentRunResult result) {
      if (result.getPayload() instanceof UnknownResult unknown) {
        // keep the unknown payload as it was written, not wrapped in {type, data}
        return AvroJson.text(AvroJson.toJson(unknown).get("data"));
      }
      return AvroJson.text(AvroJson.toJson((SpecificRecord) result.getPayload()));
    }
    return AvroJson.text(AvroJson.toJson((SpecificRecord) body));
  }
}
