package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.StateUpdated;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.RunAccess;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code state_get|set|delete|list} and {@code storage_get|set|delete|list}. Writes are {@code
 * state.updated} results through {@link RunAccess#emit} (contract C3 scopes, ARCHITECTURE.md §12:
 * {@code conversation}, {@code actor}, {@code subject}, {@code runner}, {@code binding}; {@code
 * storage.plugin} and {@code storage.workspace}); reads come from the state view of the run's own
 * workspace ({@code snapshot.workspace_id}, where the projections keep the run's writes too) with
 * this attempt's own writes laid over it, so no scope id reaches another workspace's state.
 */
final class StateMethods {
  static final String STATE_UPDATED = "state.updated";

  private final RunAccess run;
  private final AuthorizationSnapshot snapshot;
  private final AgentRunContext context;
  private final ViewReader views;
  private final HostApiSettings settings;
  private final RunMemory memory;

  StateMethods(
      final RunAccess run,
      final ViewReader views,
      final HostApiSettings settings,
      final RunMemory memory) {
    this.run = run;
    this.snapshot = run.snapshot();
    this.context = run.context();
    this.views = views;
    this.settings = settings;
    this.memory = memory;
  }

  JsonNode state(final String method, final Params p, final Target target) {
    RunHostApi.requireApi(snapshot.getAvailableApis().getState(), "state");
    final String scope = p.text("scope");
    target.scope(scope);
    if (!snapshot.getStateScopes().contains(scope)) {
      throw RunHostApi.unauthorized(
          "state scope '"
              + scope
              + "' is not authorized; the run may use "
              + snapshot.getStateScopes());
    }
    final String scopeId = scopeId(p, scope, stateScopeId(scope));
    return serve(
        method.substring("state_".length()),
        p,
        target,
        scope,
        scopeId,
        settings.maxStateValueBytes());
  }

  JsonNode storage(final String method, final Params p, final Target target) {
    RunHostApi.requireApi(snapshot.getAvailableApis().getStorage(), "storage");
    final String area = p.text("area");
    target.scope("storage." + area);
    if (!snapshot.getStorageAreas().contains(area)) {
      throw RunHostApi.unauthorized(
          "storage area '"
              + area
              + "' is not authorized; the run may use "
              + snapshot.getStorageAreas());
    }
    final String scopeId =
        switch (area) {
          case "plugin" -> snapshot.getRunnerId();
          case "workspace" -> snapshot.getWorkspaceId();
          default -> null;
        };
    final String scope = "storage." + area;
    return serve(
        method.substring("storage_".length()),
        p,
        target,
        scope,
        scopeId(p, scope, scopeId),
        settings.maxStorageValueBytes());
  }

  private JsonNode serve(
      final String op,
      final Params p,
      final Target target,
      final String scope,
      final String scopeId,
      final int maxBytes) {
    target.scope(scope + "/" + scopeId);
    return switch (op) {
      case "get" -> get(scope, scopeId, key(p, target));
      case "set" -> set(p, scope, scopeId, key(p, target), maxBytes);
      case "delete" -> delete(scope, scopeId, key(p, target));
      default -> list(scope, scopeId, p.optionalText("prefix"));
    };
  }

  private static String key(final Params p, final Target target) {
    final String key = p.key("key");
    target.resource(key);
    return key;
  }

  private JsonNode get(final String scope, final String scopeId, final String key) {
    final Optional<JsonNode> value =
        memory
            .written(scope, scopeId, key)
            .orElseGet(
                () ->
                    views
                        .state(snapshot.getWorkspaceId(), scope, scopeId, key)
                        .map(e -> e.path("value")));
    final ObjectNode answer = entry(scope, scopeId, key);
    answer.put("found", value.isPresent());
    answer.set("value", value.orElse(null));
    return answer;
  }

  private JsonNode set(
      final Params p,
      final String scope,
      final String scopeId,
      final String key,
      final int maxBytes) {
    if (!p.has("value")) {
      throw p.invalid("value", "is required (use the *_delete method to remove a key)");
    }
    final JsonNode value = p.raw().get("value");
    final String json = AvroJson.text(value);
    final int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new AgentApiException(
          AgentApiException.PAYLOAD_TOO_LARGE,
          "value of '" + key + "' is " + bytes + " bytes; the limit is " + maxBytes);
    }
    return store(scope, scopeId, key, value, json, "written");
  }

  private JsonNode delete(final String scope, final String scopeId, final String key) {
    return store(scope, scopeId, key, null, null, "deleted");
  }

  /**
   * Writes a value (null deletes the key) to the ledger and this run's memory, and answers the
   * entry with {@code done: true}.
   */
  private JsonNode store(
      final String scope,
      final String scopeId,
      final String key,
      final JsonNode value,
      final String valueJson,
      final String done) {
    write(scope, scopeId, key, valueJson);
    memory.write(scope, scopeId, key, value);
    final ObjectNode answer = entry(scope, scopeId, key);
    answer.put(done, true);
    return answer;
  }

  private JsonNode list(final String scope, final String scopeId, final String prefix) {
    final Map<String, JsonNode> values = new TreeMap<>();
    for (final JsonNode item :
        views.stateList(snapshot.getWorkspaceId(), scope, scopeId, prefix).path("items")) {
      values.put(item.path("key").asText(), item.path("value"));
    }
    memory
        .writes(scope, scopeId)
        .forEach(
            (key, value) -> {
              if (value.isPresent()) {
                values.put(key, value.get());
              } else {
                values.remove(key);
              }
            });
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    answer.put("scope", scope);
    answer.put("scope_id", scopeId);
    final ArrayNode items = answer.putArray("items");
    values.forEach(
        (key, value) -> {
          if (prefix == null || key.startsWith(prefix)) {
            items.addObject().put("key", key).set("value", value);
          }
        });
    return answer;
  }

  private void write(
      final String scope, final String scopeId, final String key, final String valueJson) {
    run.emit(
        new AgentRunResult(
            STATE_UPDATED,
            StateUpdated.newBuilder()
                .setScope(scope)
                .setScopeId(scopeId)
                .setKey(key)
                .setValueJson(valueJson)
                .build()));
  }

  private static ObjectNode entry(final String scope, final String scopeId, final String key) {
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    answer.put("scope", scope);
    answer.put("scope_id", scopeId);
    answer.put("key", key);
    return answer;
  }

  /**
   * The id a scope has in this run (contract C3, ARCHITECTURE.md §12), null when the run has none.
   */
  private String stateScopeId(final String scope) {
    return switch (scope) {
      case "conversation" -> snapshot.getConversationId();
      case "actor" -> context.getActor() == null ? null : context.getActor().getActorId();
      case "subject" -> context.getSubject() == null ? null : context.getSubject().getSubjectId();
      case "runner" -> snapshot.getRunnerId();
      case "binding" -> snapshot.getBindingId();
      default -> null;
    };
  }

  /** The run's own id for the scope; a {@code scope_id} parameter must name that one. */
  private static String scopeId(final Params p, final String scope, final String own) {
    final String asked = p.optionalText("scope_id");
    if (own == null) {
      throw RunHostApi.unauthorized("the run has no '" + scope + "' to keep state for");
    }
    if (asked != null && !asked.equals(own)) {
      throw RunHostApi.unauthorized(
          "scope_id '" + asked + "' is outside the run's " + scope + " (" + own + ")");
    }
    return own;
  }
}
