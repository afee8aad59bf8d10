package dev.runledger.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingFilter;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.FilterOp;
import dev.runledger.avro.ResourcePolicy;
import dev.runledger.schemas.events.EventTypes;
import dev.runledger.schemas.events.RegexFilter;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.json.JsonFieldException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the body of {@code PUT /v1/workspaces/{workspace_id}/bindings/{binding_id}} into a valid
 * {@link AgentBinding} or an {@link ApiException} naming the field (ARCHITECTURE.md §10): unknown
 * fields, a {@code binding_id} or {@code scope.workspace_id} that differs from the path, scope ids
 * holding '/', event type patterns, regex filters the orchestrator would never match (see {@link
 * #checkRegex}), a {@code runner_config} that is not a JSON object, out-of-range limits. Sets
 * {@code updated_at} to now. Pure.
 */
final class BindingValidator {
  /** Binding ids: letters, digits, '.', '_', ':', '-'; up to 128 characters. */
  public static final Pattern BINDING_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private static final String SCOPE = "scope";
  private static final Set<String> HISTORY_SCOPES = Set.of("conversation", "thread");
  private static final Set<String> STORAGE_AREAS = Set.of("plugin", "workspace");
  private static final Set<String> STATE_SCOPES =
      Set.of("conversation", "actor", "subject", "runner", "binding");

  private final GatewaySettings settings;
  private final Clock clock;

  public BindingValidator(final GatewaySettings settings, final Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  /** The binding in a request body for the workspace and binding id in the path. */
  public AgentBinding validate(final String pathWorkspace, final String pathId, final byte[] body) {
    checkPathId(pathId);
    if (body.length > settings.maxBodyBytes()) {
      throw JsonBodies.tooLarge(
          JsonBodies.BODY,
          "request body is "
              + body.length
              + " bytes, more than the limit of "
              + settings.maxBodyBytes()
              + " bytes ("
              + GatewaySettings.MAX_BODY_BYTES
              + ")");
    }
    return validate(pathWorkspace, pathId, JsonBodies.parseObject(body));
  }

  /**
   * The binding in a JSON object for this workspace and binding id; {@code json} is not changed. A
   * {@code scope.workspace_id} that is absent is the path's; one that differs is a 400.
   */
  public AgentBinding validate(
      final String pathWorkspace, final String pathId, final ObjectNode json) {
    checkPathId(pathId);
    EventValidator.checkSegment("", ApiPaths.WORKSPACE_ID, pathWorkspace);
    final ObjectNode filled = json.deepCopy();
    fillWorkspace(filled, pathWorkspace);
    final JsonNode id = filled.get("binding_id");
    if (id == null || id.isNull()) {
      filled.put("binding_id", pathId);
    } else if (!id.isTextual() || !id.textValue().equals(pathId)) {
      throw JsonBodies.invalid(
          "",
          "binding_id",
          "must equal the binding id in the path ('" + pathId + "') or be omitted");
    }
    final JsonNode config = filled.get("runner_config");
    if (config != null && !config.isObject()) {
      throw JsonBodies.invalid("", "runner_config", "must be a JSON object");
    }
    filled.put("updated_at", clock.millis());
    final AgentBinding binding;
    try {
      binding = AvroJson.fromJson(filled, AgentBinding.class);
    } catch (final JsonFieldException e) {
      throw JsonBodies.invalid(e, "");
    }
    checkScope(binding.getScope());
    requireText("runner_id", binding.getRunnerId());
    checkEventTypes(binding.getEventTypes());
    checkFilters(binding.getFilters());
    checkLimits(binding);
    checkResources(binding.getResourcePolicy());
    return binding;
  }

  private static void checkPathId(final String pathId) {
    if (!BINDING_ID.matcher(pathId).matches()) {
      throw ApiException.invalid(
          "binding_id",
          "binding id '"
              + pathId
              + "' must be 1 to 128 letters, digits, '.', '_', ':' or '-', starting with a letter"
              + " or digit");
    }
  }

  /** Puts the path's workspace in {@code scope.workspace_id} unless the body gives the same. */
  private static void fillWorkspace(final ObjectNode filled, final String pathWorkspace) {
    final JsonNode scope = filled.get(SCOPE);
    if (scope == null || scope.isNull()) {
      filled.putObject(SCOPE).put(ApiPaths.WORKSPACE_ID, pathWorkspace);
      return;
    }
    if (!scope.isObject()) {
      return; // the record's own check names it
    }
    final JsonNode given = scope.get(ApiPaths.WORKSPACE_ID);
    if (given == null || given.isNull()) {
      ((ObjectNode) scope).put(ApiPaths.WORKSPACE_ID, pathWorkspace);
    } else if (!given.isTextual() || !given.textValue().equals(pathWorkspace)) {
      throw JsonBodies.invalid(
          "",
          SCOPE + "." + ApiPaths.WORKSPACE_ID,
          "must equal the workspace in the path ('" + pathWorkspace + "') or be omitted");
    }
  }

  private static void checkScope(final BindingScope scope) {
    requireText("scope.workspace_id", scope.getWorkspaceId());
    requireTextIfPresent("scope.bot_id", scope.getBotId());
    requireTextIfPresent("scope.conversation_id", scope.getConversationId());
    requireTextIfPresent("scope.thread_id", scope.getThreadId());
    EventValidator.checkSegment("", "scope.bot_id", scope.getBotId());
    EventValidator.checkSegment("", "scope.conversation_id", scope.getConversationId());
    EventValidator.checkSegment("", "scope.thread_id", scope.getThreadId());
    if (scope.getThreadId() != null && scope.getConversationId() == null) {
      throw JsonBodies.invalid(
          "", "scope.thread_id", "needs scope.conversation_id: a thread belongs to a conversation");
    }
  }

  private static void checkEventTypes(final List<String> eventTypes) {
    if (eventTypes.isEmpty()) {
      throw JsonBodies.invalid("", "event_types", "must hold at least one event type pattern");
    }
    for (int i = 0; i < eventTypes.size(); i++) {
      if (!EventTypes.isValidPattern(eventTypes.get(i))) {
        throw JsonBodies.invalid(
            "",
            "event_types[" + i + "]",
            "must be an event type word.word[.word] or a pattern word.* / word.word.*"
                + " (lowercase letters, digits, '_'); got '"
                + eventTypes.get(i)
                + "'");
      }
    }
  }

  private static void checkFilters(final List<BindingFilter> filters) {
    for (int i = 0; i < filters.size(); i++) {
      final BindingFilter filter = filters.get(i);
      requireText("filters[" + i + "].field", filter.getField());
      if (filter.getOp() == FilterOp.REGEX) {
        checkRegex("filters[" + i + "].value", filter.getValue());
      }
    }
  }

  /**
   * Refuses a regex filter the orchestrator could not match with (see {@link RegexFilter}): one
   * RE2/J does not accept, one longer than {@value RegexFilter#DEFAULT_MAX_PATTERN_CHARS} chars, or
   * one that compiles to more than {@value RegexFilter#MAX_PROGRAM_SIZE} instructions.
   */
  private static void checkRegex(final String field, final String regex) {
    final String refusal =
        RegexFilter.compile(regex, RegexFilter.DEFAULT_MAX_PATTERN_CHARS).refusal();
    if (refusal != null) {
      throw JsonBodies.invalid("", field, refusal);
    }
  }

  private static void checkLimits(final AgentBinding binding) {
    if (binding.getTimeoutMs() <= 0) {
      throw JsonBodies.invalid("", "timeout_ms", "must be greater than 0");
    }
    if (binding.getMaxSteeringQueue() < 0) {
      throw JsonBodies.invalid("", "max_steering_queue", "must be 0 or more");
    }
    if (binding.getDispatchPolicy().getMaxQueue() < 1) {
      throw JsonBodies.invalid("", "dispatch_policy.max_queue", "must be at least 1");
    }
    if (binding.getStatePolicy().getMaxValueBytes() <= 0) {
      throw JsonBodies.invalid("", "state_policy.max_value_bytes", "must be greater than 0");
    }
    if (binding.getStatePolicy().getMaxKeysPerScope() <= 0) {
      throw JsonBodies.invalid("", "state_policy.max_keys_per_scope", "must be greater than 0");
    }
  }

  private static void checkResources(final ResourcePolicy policy) {
    checkAllowed("resource_policy.history_scopes", policy.getHistoryScopes(), HISTORY_SCOPES);
    checkAllowed("resource_policy.storage_areas", policy.getStorageAreas(), STORAGE_AREAS);
    checkAllowed("resource_policy.state_scopes", policy.getStateScopes(), STATE_SCOPES);
  }

  private static void checkAllowed(
      final String field, final List<String> values, final Set<String> allowed) {
    for (int i = 0; i < values.size(); i++) {
      if (!allowed.contains(values.get(i))) {
        throw JsonBodies.invalid(
            "",
            field + "[" + i + "]",
            "must be one of "
                + allowed.stream().sorted().toList()
                + "; got '"
                + values.get(i)
                + "'");
      }
    }
  }

  private static void requireText(final String field, final String value) {
    if (value.isBlank()) {
      throw JsonBodies.invalid("", field, "must not be empty");
    }
  }

  private static void requireTextIfPresent(final String field, final String value) {
    if (value != null) {
      requireText(field, value);
    }
  }
}
