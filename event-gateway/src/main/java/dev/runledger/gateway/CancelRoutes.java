package dev.runledger.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.Decision;
import dev.runledger.avro.RunStatus;
import dev.runledger.gateway.views.RunViews;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.http.QueryParams;
import dev.runledger.schemas.json.AvroJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Cancel requests (ARCHITECTURE.md §6.5, contract C1, ARCHITECTURE.md §12): {@code POST
 * /v1/runs/{run_id}/cancel} and {@code POST /v1/workspaces/{workspace_id}/events/{event_id}/cancel}
 * (for a caller who does not know the run yet; the run is the one the event's decision names, which
 * an enqueued event has before its run exists). Optional body {@code {"reason": "..."}} (default
 * {@value #DEFAULT_REASON}). Each produces {@code CancelRun{reason, requested_by=api}} onto {@code
 * run-control} and answers 202 {@code {run_id, event_id?, reason}}; 404 for an unknown run or
 * event, 409 {@value #EVENT_NO_RUN} for an event whose decision names no run and 409 {@value
 * #RUN_FINISHED} (naming the status) for a run that has already ended. Both paths answer alike: the
 * run of an event is looked up as by run id, except that the run of an {@code enqueued} or {@code
 * followup} decision may not exist yet (it is cancelled before it starts). A run of a workspace the
 * caller's token does not cover answers 404 like an unknown one (the server has checked the event
 * path's workspace and the caller's role). Unknown body fields and query parameters are 400.
 */
final class CancelRoutes {
  /** Reason of a cancel whose body names none. */
  public static final String DEFAULT_REASON = "requested";

  /** {@code requested_by} of every cancel from the API. */
  public static final String REQUESTED_BY = "api";

  /** The event was decided without a run (no binding, rejected, invalid, ...). */
  public static final String EVENT_NO_RUN = "event.no_run";

  /** The run has already ended; a cancel could not take effect. */
  public static final String RUN_FINISHED = "run.finished";

  private static final String REASON = "reason";
  private static final Set<String> FINISHED =
      Set.of(
          lower(RunStatus.COMPLETED),
          lower(RunStatus.FAILED),
          lower(RunStatus.CANCELLED),
          lower(RunStatus.TIMEOUT));

  /** Decisions whose run is only created later, when the conversation's active run ends. */
  private static final Set<String> AWAITING =
      Set.of(lower(Decision.ENQUEUED), lower(Decision.FOLLOWUP));

  private static final int MAX_BODY_BYTES = 16_384;

  /** Produces one {@code CancelRun}; the future completes when Kafka acknowledged it. */
  @FunctionalInterface
  public interface Canceller {
    CompletableFuture<RecordMetadata> cancel(String runId, String reason, String requestedBy);
  }

  private final RunViews views;
  private final Canceller canceller;
  private final Acknowledgements acks;

  public CancelRoutes(
      final GatewaySettings settings, final RunViews views, final Canceller canceller) {
    this.views = views;
    this.canceller = canceller;
    this.acks = new Acknowledgements(settings.sendTimeout());
  }

  /** Adds the cancel routes to the server. */
  public void register(final Javalin app) {
    app.post(ApiPaths.RUN_CANCEL, this::cancelRun);
    app.post(ApiPaths.EVENT_CANCEL, this::cancelEvent);
  }

  private void cancelRun(final Context ctx) {
    final String runId = ctx.pathParam("run_id");
    final String reason = reason(ctx);
    final Caller caller = Caller.of(ctx.attribute(Caller.ATTRIBUTE));
    final JsonNode run =
        views
            .run(runId)
            .filter(found -> caller.sees(found.path(ApiPaths.WORKSPACE_ID).asText(null)))
            .orElseThrow(() -> ApiException.notFound("run '" + runId + "' is unknown"));
    checkNotFinished(run, runId);
    acks.await(canceller.cancel(runId, reason, REQUESTED_BY), "the cancel request");
    ctx.status(202).json(answer(runId, null, reason));
  }

  private void cancelEvent(final Context ctx) {
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String eventId = ctx.pathParam("event_id");
    final String reason = reason(ctx);
    final JsonNode decision =
        views
            .decision(workspace, eventId)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "event '"
                            + eventId
                            + "' of workspace '"
                            + workspace
                            + "' is unknown (no dispatch decision yet)"));
    final JsonNode run = decision.path("run_id");
    final String runId = run.isTextual() ? run.asText() : null;
    if (runId == null || runId.isBlank()) {
      throw new ApiException(
          409,
          EVENT_NO_RUN,
          "event '"
              + eventId
              + "' has no run to cancel (decision: "
              + decision.path("decision").asText("unknown")
              + ")");
    }
    final Optional<JsonNode> view = views.run(runId);
    if (view.isPresent()) {
      checkNotFinished(view.get(), runId);
    } else if (!AWAITING.contains(decision.path("decision").asText())) {
      throw ApiException.notFound(
          "run '"
              + runId
              + "' of event '"
              + eventId
              + "' is unknown (it may have been cleaned up)");
    }
    acks.await(canceller.cancel(runId, reason, REQUESTED_BY), "the cancel request");
    ctx.status(202).json(answer(runId, eventId, reason));
  }

  private static void checkNotFinished(final JsonNode run, final String runId) {
    final String status = run.path("status").asText();
    if (FINISHED.contains(status)) {
      throw new ApiException(
          409,
          RUN_FINISHED,
          "run '"
              + runId
              + "' has already ended (status "
              + status
              + "); there is nothing to cancel");
    }
  }

  private static String lower(final Enum<?> symbol) {
    return symbol.name().toLowerCase(Locale.ROOT);
  }

  private static String reason(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final byte[] body = RequestBodies.read(ctx, MAX_BODY_BYTES, "cancel body");
    if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return DEFAULT_REASON;
    }
    final ObjectNode object = JsonBodies.parseObject(body);
    object
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (!REASON.equals(name)) {
                throw JsonBodies.invalid(
                    "", name, "is not a known field of a cancel request (only 'reason')");
              }
            });
    final JsonNode reason = object.get(REASON);
    if (reason == null || reason.isNull()) {
      return DEFAULT_REASON;
    }
    if (!reason.isTextual() || reason.asText().isBlank()) {
      throw ApiException.invalid(REASON, "reason must be a non-empty string");
    }
    return reason.asText();
  }

  private static ObjectNode answer(final String runId, final String eventId, final String reason) {
    final ObjectNode out = AvroJson.mapper().createObjectNode();
    out.put("run_id", runId);
    if (eventId != null) {
      out.put("event_id", eventId);
    }
    out.put("reason", reason);
    out.put("requested_by", REQUESTED_BY);
    return out;
  }
}
