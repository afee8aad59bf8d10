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

/** In-memory views: a transcript per conversation, decisions, runs and state entries. */
public final class FakeViews implements ViewReader {
  public final Map<String, List<ObjectNode>> transcripts = new TreeMap<>();
  public final Map<String, JsonNode> decisions = new TreeMap<>();
  public final Map<String, JsonNode> runs = new TreeMap<>();
  public final Map<String, JsonNode> state = new TreeMap<>();
  public final List<String> requests = new ArrayList<>();

  public void say(
      final String conversation, final String role, final String text, final String eventId) {
    final List<ObjectNode> items =
        transcripts.computeIfAbsent(conversation, c -> new ArrayList<>());
    final ObjectNode item = AvroJson.mapper().createObjectNode();
    item.put("conversation_id", conversation).put("seq", items.size() + 1).put("role", role);
    item.put("content", text).put("event_id", eventId);
    items.add(item);
  }

  public void putState(
      final String scope, final String scopeId, final String key, final String json) {
    final ObjectNode entry = AvroJson.mapper().createObjectNode();
    entry.put("scope", scope).put("scope_id", scopeId).put("key", key);
    entry.set("value", AvroJson.parse(json, "value"));
    state.put(scope + "/" + scopeId + "/" + key, entry);
  }

  @Override
  public JsonNode transcript(
      final String conversationId, final String before, final String after, final int limit) {
    requests.add("transcript " + conversationId);
    final ObjectNode page = AvroJson.mapper().createObjectNode();
    final ArrayNode items = page.putArray("items");
    final List<ObjectNode> all = transcripts.getOrDefault(conversationId, List.of());
    all.stream().skip(Math.max(0, all.size() - limit)).forEach(items::add);
    page.put("has_more", all.size() > limit);
    page.putNull("next_cursor");
    return page;
  }

  @Override
  public JsonNode searchTranscript(
      final String conversationId, final String query, final int topK) {
    requests.add("search " + conversationId);
    final ObjectNode page = AvroJson.mapper().createObjectNode();
    final ArrayNode items = page.putArray("items");
    transcripts.getOrDefault(conversationId, List.of()).stream()
        .filter(i -> i.path("content").asText().contains(query))
        .limit(topK)
        .forEach(items::add);
    return page;
  }

  @Override
  public Optional<JsonNode> decision(final String eventId) {
    return Optional.ofNullable(decisions.get(eventId));
  }

  @Override
  public Optional<JsonNode> run(final String runId) {
    return Optional.ofNullable(runs.get(runId));
  }

  @Override
  public Optional<JsonNode> state(final String scope, final String scopeId, final String key) {
    requests.add("state " + scope + "/" + scopeId + "/" + key);
    return Optional.ofNullable(state.get(scope + "/" + scopeId + "/" + key));
  }

  @Override
  public JsonNode stateList(final String scope, final String scopeId, final String prefix) {
    final ObjectNode page = AvroJson.mapper().createObjectNode();
    final ArrayNode items = page.putArray("items");
    state.forEach(
        (id, entry) -> {
          if (id.startsWith(scope + "/" + scopeId + "/")
              && (prefix == null || entry.path("key").asText().startsWith(prefix))) {
            items.add(entry);
          }
        });
    return page;
  }
}
