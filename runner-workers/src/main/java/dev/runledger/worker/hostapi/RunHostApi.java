package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.ApiOutcome;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.AvailableApis;
import dev.runledger.avro.HostApiCall;
import dev.runledger.avro.KnowledgePermission;
import dev.runledger.avro.ModelPermission;
import dev.runledger.avro.SteeringItem;
import dev.runledger.avro.ToolPermission;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.metrics.LedgerMeters;
import dev.runledger.worker.spi.AgentApiException;
import dev.runledger.worker.spi.HostApi;
import dev.runledger.worker.spi.RunAccess;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host API of one attempt (ARCHITECTURE.md §7.5). Each call is checked first against the
 * attempt (active, same run as its snapshot, before the deadline), then against the frozen snapshot
 * (the method's {@code available_apis} flag, then the resource or scope it names), then its
 * parameters; only then is it served. Every call, allowed or not, is audited through {@link
 * RunAccess#audit} as a {@code HostApiCall}: {@code allowed}, {@code denied} (code {@code
 * unauthorized}, or a foreign id answered {@code not_found} like an unknown one) or {@code failed}
 * (any other code) — a call after the attempt ended too, as a denial written after its terminal; so
 * is a call the HTTP endpoint {@linkplain #refused refused}. Every view the API reads is read in
 * the run's own workspace ({@code snapshot.workspace_id}): history, decisions and state of another
 * workspace are never asked for, whatever ids the runner passes.
 */
final class RunHostApi implements HostApi {
  private static final Logger LOG = LoggerFactory.getLogger(RunHostApi.class);

  /** The longest method name an audit record keeps; a runner's longer one is cut. */
  private static final int MAX_ACTION = 200;

  /** The methods {@link #dispatch} knows; others are counted as {@code unknown}. */
  static final Set<String> METHODS =
      Set.of(
          "history_page",
          "history_search",
          "event_get",
          "event_page",
          "steering_pull",
          "artifact_metadata",
          "artifact_read_range",
          "state_get",
          "state_set",
          "state_delete",
          "state_list",
          "storage_get",
          "storage_set",
          "storage_delete",
          "storage_list",
          "invoke_model",
          "call_tool",
          "retrieve_knowledge");

  private final RunAccess run;
  private final AuthorizationSnapshot snapshot;
  private final AgentRunContext context;
  private final ViewReader views;
  private final Providers providers;
  private final Clock clock;
  private final RunMemory memory;
  private final StateMethods state;
  private final ArtifactMethods artifacts;
  private final EventGet events;
  private final long maxCalls;

  RunHostApi(
      final RunAccess run,
      final ViewReader views,
      final ArtifactStore artifactStore,
      final Providers providers,
      final HostApiSettings settings,
      final Clock clock,
      final RunMemory memory) {
    this.run = run;
    this.snapshot = run.snapshot();
    this.context = run.context();
    this.views = views;
    this.providers = providers;
    this.clock = clock;
    this.memory = memory;
    this.state = new StateMethods(run, views, settings, memory);
    this.artifacts = new ArtifactMethods(run, artifactStore, settings, memory);
    this.events = new EventGet(run, views, memory);
    this.maxCalls = settings.maxCallsPerAttempt();
  }

  @Override
  public JsonNode call(final String method, final JsonNode params) {
    final String action = method == null ? "" : method;
    final Target target = new Target();
    try {
      final JsonNode result = dispatch(action, params, target);
      audit(action, target, ApiOutcome.ALLOWED, null);
      return result;
    } catch (final AgentApiException e) {
      final boolean denied = target.isDenied() || AgentApiException.UNAUTHORIZED.equals(e.code());
      audit(action, target, denied ? ApiOutcome.DENIED : ApiOutcome.FAILED, e.code());
      throw e;
    } catch (final RuntimeException e) {
      LOG.warn("run {}: host-API call {} failed", snapshot.getRunId(), action, e);
      audit(action, target, ApiOutcome.FAILED, AgentApiException.RUNTIME_ERROR);
      throw new AgentApiException(
          AgentApiException.RUNTIME_ERROR, action + " failed in the host: " + e);
    }
  }

  @Override
  public void refused(final String method, final String resource) {
    audit(
        method == null ? "" : method,
        new Target().resource(resource),
        ApiOutcome.DENIED,
        AgentApiException.UNAUTHORIZED);
  }

  private JsonNode dispatch(final String method, final JsonNode raw, final Target target) {
    checkAttempt();
    final Params p = params(method, raw);
    checkWorkspace(p, target);
    return switch (method) {
      case "history_page" -> historyPage(p, target);
      case "history_search" -> historySearch(p, target);
      case "event_get" -> events.get(p, target);
      case "event_page" -> eventPage(p, target);
      case "steering_pull" -> steeringPull(p, target);
      case "artifact_metadata" -> artifacts.metadata(p, target);
      case "artifact_read_range" -> artifacts.readRange(p, target);
      case "state_get", "state_set", "state_delete", "state_list" -> state.state(method, p, target);
      case "storage_get", "storage_set", "storage_delete", "storage_list" ->
          state.storage(method, p, target);
      case "invoke_model" -> invokeModel(p, target);
      case "call_tool" -> callTool(p, target);
      case "retrieve_knowledge" -> retrieveKnowledge(p, target);
      default ->
          throw new AgentApiException(
              AgentApiException.NOT_FOUND,
              "unknown host-API method '" + method + "'; see docs/runner-protocol.md");
    };
  }

  /** Unknown/finished run, superseded attempt, a snapshot of another run, a passed deadline. */
  private void checkAttempt() {
    if (!run.active()) {
      throw unauthorized(
          "run "
              + snapshot.getRunId()
              + " attempt "
              + run.attempt()
              + " is not active (it ended or was superseded)");
    }
    if (!Objects.equals(snapshot.getRunId(), context.getRunId())) {
      throw unauthorized("the authorization snapshot belongs to another run");
    }
    if (!clock.instant().isBefore(context.getRuntime().getDeadlineAt())) {
      throw new AgentApiException(
          AgentApiException.DEADLINE_EXCEEDED,
          "the run's deadline " + context.getRuntime().getDeadlineAt() + " has passed");
    }
    if (memory.countCall() > maxCalls) {
      throw new AgentApiException(
          AgentApiException.RATE_LIMITED,
          "the attempt made more than " + maxCalls + " host-API calls");
    }
  }

  /** A {@code workspace_id} parameter must name the run's own workspace. */
  private void checkWorkspace(final Params p, final Target target) {
    final String asked = p.optionalText("workspace_id");
    if (asked != null && !asked.equals(snapshot.getWorkspaceId())) {
      target.scope(asked);
      throw unauthorized(
          "workspace '" + asked + "' is outside the run's workspace (" + workspace() + ")");
    }
  }

  /** The run's workspace, the only one it may read. */
  private String workspace() {
    return snapshot.getWorkspaceId();
  }

  private static Params params(final String method, final JsonNode raw) {
    if (raw == null || raw.isNull() || raw.isMissingNode()) {
      return new Params(method, AvroJson.mapper().createObjectNode());
    }
    if (!raw.isObject()) {
      throw new AgentApiException(
          AgentApiException.INVALID_ARGUMENT, method + ": params must be a JSON object");
    }
    return new Params(method, raw);
  }

  private JsonNode historyPage(final Params p, final Target target) {
    requireApi(apis().getHistoryPage(), "history_page");
    final String conversation = conversation(p, target.resource("transcript"));
    historyScope(p);
    final long limit = p.integer("limit", 50, 1, 200);
    return views.transcript(
        workspace(), conversation, p.optionalText("before"), p.optionalText("after"), (int) limit);
  }

  private JsonNode historySearch(final Params p, final Target target) {
    requireApi(apis().getHistorySearch(), "history_search");
    final String conversation = conversation(p, target.resource("transcript"));
    historyScope(p);
    final String query = p.text("q");
    final long topK = p.integer("top_k", 10, 1, 100);
    return views.searchTranscript(workspace(), conversation, query, (int) topK);
  }

  private JsonNode eventPage(final Params p, final Target target) {
    requireApi(apis().getEventPage(), "event_page");
    final String conversation = conversation(p, target.resource("events"));
    final long limit = p.integer("limit", 50, 1, 200);
    final JsonNode page =
        views.transcript(workspace(), conversation, p.optionalText("before"), null, (int) limit);
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    final ArrayNode items = answer.putArray("items");
    for (final JsonNode item : page.path("items")) {
      if (item.hasNonNull("event_id")) {
        items.add(item);
      }
    }
    answer.set("next_cursor", page.path("next_cursor"));
    answer.set("has_more", page.path("has_more"));
    return answer;
  }

  private JsonNode steeringPull(final Params p, final Target target) {
    requireApi(apis().getSteeringPull(), "steering_pull");
    final String mode = Optional.ofNullable(p.optionalText("mode")).orElse("all");
    if (!mode.equals("all") && !mode.equals("one")) {
      throw p.invalid("mode", "must be 'all' or 'one'");
    }
    target.resource(mode).scope(snapshot.getConversationId());
    final List<SteeringItem> items = run.pullSteering(mode.equals("one"));
    final ObjectNode answer = AvroJson.mapper().createObjectNode();
    final ArrayNode array = answer.putArray("items");
    for (final SteeringItem item : items) {
      final ObjectNode json = AvroJson.toJson(item);
      memory.pulled(item.getSourceEventId(), json);
      array.add(json);
    }
    return answer;
  }

  private JsonNode invokeModel(final Params p, final Target target) {
    final String model = p.text("model");
    target.resource(model);
    if (!snapshot.getModels().contains(model)
        || !snapshot.getPermissions().getModels().contains(ModelPermission.INVOKE)) {
      throw unauthorized("model '" + model + "' is not authorized for this run");
    }
    final ModelProvider provider =
        providers.models().orElseThrow(() -> missingProvider("model", "invoke_model"));
    return provider.invoke(model, p.raw(), run);
  }

  private JsonNode callTool(final Params p, final Target target) {
    final String tool = p.text("tool");
    target.resource(tool);
    if (!snapshot.getTools().contains(tool)
        || !snapshot.getPermissions().getTools().contains(ToolPermission.CALL)) {
      throw unauthorized("tool '" + tool + "' is not authorized for this run");
    }
    final ToolProvider provider =
        providers.tools().orElseThrow(() -> missingProvider("tool", "call_tool"));
    return provider.call(tool, p.raw(), run);
  }

  private JsonNode retrieveKnowledge(final Params p, final Target target) {
    final String kb = p.text("knowledge_base");
    target.resource(kb);
    if (!snapshot.getKnowledgeBases().contains(kb)
        || !snapshot.getPermissions().getKnowledgeBases().contains(KnowledgePermission.RETRIEVE)) {
      throw unauthorized("knowledge base '" + kb + "' is not authorized for this run");
    }
    final KnowledgeProvider provider =
        providers.knowledge().orElseThrow(() -> missingProvider("knowledge", "retrieve_knowledge"));
    return provider.retrieve(kb, p.raw(), run);
  }

  /** The run's conversation; a {@code conversation_id} parameter must name that one. */
  private String conversation(final Params p, final Target target) {
    final String own = snapshot.getConversationId();
    final String asked = p.optionalText("conversation_id");
    target.scope(asked == null ? own : asked);
    if (own == null) {
      throw unauthorized("the run has no conversation, so it has no history");
    }
    if (asked != null && !asked.equals(own)) {
      throw unauthorized("conversation '" + asked + "' is outside the run's conversation");
    }
    return own;
  }

  /**
   * The transcript view serves whole conversations, so history needs the {@code conversation}
   * scope; a run granted only {@code thread} is refused rather than shown the whole conversation.
   */
  private void historyScope(final Params p) {
    final String scope = Optional.ofNullable(p.optionalText("scope")).orElse("conversation");
    if (!snapshot.getHistoryScopes().contains(scope)) {
      throw unauthorized(
          "history scope '"
              + scope
              + "' is not authorized; the run may read "
              + snapshot.getHistoryScopes());
    }
    if (!"conversation".equals(scope)) {
      throw unauthorized(
          "history scope '" + scope + "' is not served yet; only 'conversation' history is");
    }
  }

  private AvailableApis apis() {
    return snapshot.getAvailableApis();
  }

  static void requireApi(final boolean available, final String api) {
    if (!available) {
      throw unauthorized("host API '" + api + "' is not in the run's available_apis");
    }
  }

  static AgentApiException unauthorized(final String message) {
    return new AgentApiException(AgentApiException.UNAUTHORIZED, message);
  }

  static AgentApiException notFound(final String message) {
    return new AgentApiException(AgentApiException.NOT_FOUND, message);
  }

  private static AgentApiException missingProvider(final String kind, final String method) {
    return new AgentApiException(
        AgentApiException.RUNTIME_ERROR,
        "provider.missing: "
            + method
            + " is authorized but this worker has no "
            + kind
            + " provider configured");
  }

  private void audit(
      final String action, final Target target, final ApiOutcome outcome, final String code) {
    LedgerMeters.hostApiCall(METHODS.contains(action) ? action : "unknown", outcome);
    try {
      run.audit(
          HostApiCall.newBuilder()
              .setAction(action.length() <= MAX_ACTION ? action : action.substring(0, MAX_ACTION))
              .setResource(target.resource())
              .setScope(target.scope())
              .setOutcome(outcome)
              .setErrorCode(code)
              .build());
    } catch (final RuntimeException e) {
      LOG.warn("run {}: audit of {} not written: {}", snapshot.getRunId(), action, e.toString());
    }
  }
}
