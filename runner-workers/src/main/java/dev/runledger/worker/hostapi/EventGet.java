package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.RunAccess;
import java.util.Optional;

/**
 * {@code event_get}: the run's own event, a steering item it pulled, or another event of its
 * conversation, looked up only in the run's own workspace. An event that workspace has no decision
 * for (unknown, or another workspace's: they answer alike) or whose run is another workspace's is
 * {@code not_found}, audited as a denial.
 */
final class EventGet {
  private final AuthorizationSnapshot snapshot;
  private final AgentRunContext context;
  private final ViewReader views;
  private final RunMemory memory;

  EventGet(final RunAccess run, final ViewReader views, final RunMemory memory) {
    this.snapshot = run.snapshot();
    this.context = run.context();
    this.views = views;
    this.memory = memory;
  }

  JsonNode get(final Params p, final Target target) {
    RunHostApi.requireApi(snapshot.getAvailableApis().getEventGet(), "event_get");
    final String eventId = p.text("event_id");
    target.resource(eventId).scope(snapshot.getConversationId());
    if (eventId.equals(context.getEvent().getEventId())) {
      return ownEvent();
    }
    final Optional<JsonNode> pulled = memory.pulledItem(eventId);
    if (pulled.isPresent()) {
      final ObjectNode answer = AvroJson.mapper().createObjectNode();
      answer.put("event_id", eventId);
      answer.set("steering_item", pulled.get());
      return answer;
    }
    // an event of another workspace is not even looked for: it answers like an unknown one
    final JsonNode decision =
        views
            .decision(snapshot.getWorkspaceId(), eventId)
            .orElseThrow(() -> foreignEvent(eventId, target));
    final String runId = decision.path("run_id").asText(null);
    final Optional<JsonNode> otherRun = runId == null ? Optional.empty() : views.run(runId);
    if (otherRun.isPresent()
        && !snapshot.getWorkspaceId().equals(otherRun.get().path("workspace_id").asText(null))) {
      throw foreignEvent(eventId, target);
    }
    final String conversation =
        otherRun.map(r -> r.path("conversation_id").asText(null)).orElse(null);
    if (snapshot.getConversationId() == null
        || !snapshot.getConversationId().equals(conversation)) {
      throw RunHostApi.unauthorized("event " + eventId + " is outside the run's conversation");
    }
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    answer.put("event_id", eventId);
    answer.put("conversation_id", conversation);
    answer.set("decision", decision);
    return answer;
  }

  /**
   * {@code not_found} for an event the run's workspace does not know (unknown, or another
   * workspace's: the two answer alike), audited as a denial.
   */
  private AgentApiException foreignEvent(final String eventId, final Target target) {
    target.denied();
    return RunHostApi.notFound("event " + eventId + " is not known in the run's workspace");
  }

  private JsonNode ownEvent() {
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    answer.put("event_id", context.getEvent().getEventId());
    answer.set("event", AvroJson.toJson(context.getEvent()));
    answer.set("input", AvroJson.toJson(context.getInput()));
    if (context.getActor() != null) {
      answer.set("actor", AvroJson.toJson(context.getActor()));
    }
    if (context.getConversation() != null) {
      answer.set("conversation", AvroJson.toJson(context.getConversation()));
    }
    return answer;
  }
}
