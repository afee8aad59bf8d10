package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.schemas.json.AvroJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * In-memory views, each keyed under its workspace like the projections' stores: a transcript per
 * {@code ws/conversation}, decisions per {@code ws/event_id}, runs and state entries per {@code
 * ws/scope/scope_id/key}. The helpers without a workspace use {@value #WS}, the test runs'.
 */
public final class FakeViews implements ViewReader {
  /** The workspace of the test runs. */
  public static final String WS = "ws";

  public final Map<String, List<ObjectNode>> transcripts = new TreeMap<>();
  public final Map<String, JsonNode> decisions = new TreeMap<>();
  public final Map<String, JsonNode> runs = new TreeMap<>();
  public final Map<String, JsonNode> state = new TreeMap<>();
  public final List<String> requests = new ArrayList<>();

  public void say(
      final String conversation, final String role, final String text, final String eventId) {
    say(WS, conversation, role, text, eventId);
  }

  public void say(
      final String workspace,
      final String conversation,
      final String role,
      final String text,
      final String eventId) {
    final List<ObjectNode> items =
        transcripts.computeIfAbsent(workspace + "/" + conversation, c -> new ArrayList<>());
    final ObjectNode item = AvroJson.mapper().createObjectNode();
    item.put("conversation_id", conversation).put("seq", items.size() + 1).put("role", role);
    item.put("content", text).put("event_id", eventId).put("workspace_id", workspace);
    items.add(item);
  }

  public void putState(
      final String scope, final String scopeId, final String key, final String json) {
    putState(WS, scope, scopeId, key, json);
  }

  public void putState(
      final String workspace,
      final String scope,
      final String scopeId,
      final String key,
      final String json) {
    final ObjectNode entry = AvroJson.mapper().createObjectNode();
    entry.put("scope", scope).put("scope_id", scopeId).put("key", key);
    entry.set("value", AvroJson.parse(json, "value"));
    state.put(workspace + "/" + scope + "/" + scopeId + "/" + key, entry);
  }

  /** A decision of {@code eventId} in {@code workspace} for {@code runId}. */
  public void decide(final String workspace, final String eventId, final String runId) {
    final ObjectNode decision = AvroJson.mapper().createObjectNode();
    decision.put("event_id", eventId).put("run_id", runId);
    decisions.put(workspace + "/" + eventId, decision);
  }

  /** The view of a run of {@code workspace} in {@code conversation}. */
  public void putRun(final String workspace, final String runId, final String conversation) {
    final ObjectNode run = AvroJson.mapper().createObjectNode();
    run.put("run_id", runId).put("workspace_id", workspace).put("conversation_id", conversation);
    runs.put(runId, run);
  }

  @Override
  public JsonNode transcript(
      final String workspaceId,
      final String conversationId,
      final String before,
      final String after,
      final int limit) {
    requests.add("transcript " + workspaceId + "/" + conversationId);
    final ObjectNode page = AvroJson.mapper().createObjectNode();
    final ArrayNode items = page.putArray("items");
    final List<ObjectNode> all =
        transcripts.getOrDefault(workspaceId + "/" + conversationId, List.of());
    all.stream().skip(Math.max(0, all.size() - limit)).forEach(items::add);
    page.put("has_more", all.size() > limit);
    page.putNull("next_cursor");
    return page;
  }

  @Override
  public JsonNode searchTranscript(
      final String workspaceId, final String conversationId, final String query, final int topK) {
    requests.add("search " + workspaceId + "/" + conversationId);
    final ObjectNode page = AvroJson.mapper().createObjectNode();
    final ArrayNode items = page.putArray("items");
    transcripts.getOrDefault(workspaceId + "/" + conversationId, List.of()).stream()
        .filter(i -> i.path("content").asText().contains(query))
        .limit(topK)
        .forEach(items::add);
    return page;
  }

  @Override
  public Optional<JsonNode> decision(final String workspaceId, final String eventId) {
    requests.add("decision " + workspaceId + "/" + eventId);
    return Optional.ofNullable(decisions.get(workspaceId + "/" + eventId));
  }

  @Override
  public Optional<JsonNode> run(final String runId) {
    return Optional.ofNullable(runs.get(runId));
  }

  @Override
  public Optional<JsonNode> state(
      final String workspaceId, final String scope, final String scopeId, final String key) {
    final String id = workspaceId + "/" + scope + "/" + scopeId + "/" + key;
    requests.add("state " + id);
    return Optional.ofNullable(state.get(id));
  }

  @Override
  public JsonNode stateList(
      final String workspaceId, final String scope, final String scopeId, final String prefix) {
    final ObjectNode page = AvroJson.mapper().createObjectNode();
    final ArrayNode items = page.putArray("items");
    state.forEach(
        (id, entry) -> {
          if (id.startsWith(workspaceId + "/" + scope + "/" + scopeId + "/")
              && (prefix == null || entry.path("key").asText().startsWith(prefix))) {
            items.add(entry);
          }
        });
    return page;
  }
}
