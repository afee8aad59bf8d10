package dev.runledger.schemas.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Every path of the HTTP API (ARCHITECTURE.md §9.1), as the Javalin templates the routes register
 * and as builders for the clients that call them, with the {@link Access} each method and path
 * needs. Workspace-scoped resources live under {@value #WORKSPACE}; ids that are unique across
 * workspaces (runs, posted events) keep their short paths.
 */
public final class ApiPaths {
  public static final String WORKSPACE_ID = "workspace_id";
  public static final String WORKSPACE = "/v1/workspaces/{workspace_id}";
  public static final String EVENTS = "/v1/events";
  public static final String EVENTS_BATCH = "/v1/events:batch";
  public static final String BINDINGS = WORKSPACE + "/bindings";
  public static final String BINDING = BINDINGS + "/{binding_id}";
  public static final String DECISION = WORKSPACE + "/events/{event_id}";
  public static final String EVENT_CANCEL = DECISION + "/cancel";
  public static final String TRANSCRIPT = WORKSPACE + "/conversations/{conversation_id}/transcript";
  public static final String TRANSCRIPT_SEARCH = TRANSCRIPT + "/search";
  public static final String STATES = WORKSPACE + "/state/{scope}/{scope_id}";

  /** A state key may hold '/', so it is the rest of the path. */
  public static final String STATE = STATES + "/<key>";

  public static final String RUNS = WORKSPACE + "/runs";
  public static final String RUN = "/v1/runs/{run_id}";
  public static final String RUN_EVENTS = RUN + "/events";
  public static final String RUN_STREAM = RUN_EVENTS + "/stream";
  public static final String RUN_CANCEL = RUN + "/cancel";
  public static final String DIGESTS = "/v1/views/digests";

  /** Runner manifests with the workers hosting each; not workspace-scoped. */
  public static final String RUNNERS = "/v1/runners";

  /** Live and recently gone workers, from their heartbeats; not workspace-scoped. */
  public static final String WORKERS = "/v1/workers";

  public static final String HEALTH = "/healthz";
  public static final String METRICS = "/metrics";

  /**
   * Who the caller is: its token's name, role and workspaces (the web console signs in with it).
   */
  public static final String WHOAMI = "/v1/whoami";

  /** The web console's page; its scripts and styles are under {@value #CONSOLE_ASSETS}. */
  public static final String CONSOLE = "/";

  public static final String CONSOLE_ASSETS = "/console/{asset}";

  /**
   * What each {@code "METHOD template"} needs. A route missing here needs {@link Access#ADMIN}; the
   * workspace of a route under {@value #WORKSPACE} is checked by the server, the workspace of a run
   * or a posted event by its handler once it is known.
   */
  private static final Map<String, Access> ACCESS =
      Map.ofEntries(
          Map.entry("GET " + HEALTH, Access.OPEN),
          Map.entry("GET " + METRICS, Access.READ),
          Map.entry("GET " + WHOAMI, Access.READ),
          Map.entry("GET " + CONSOLE, Access.OPEN),
          Map.entry("GET " + CONSOLE_ASSETS, Access.OPEN),
          Map.entry("POST " + EVENTS, Access.WRITE),
          Map.entry("POST " + EVENTS_BATCH, Access.WRITE),
          Map.entry("GET " + BINDINGS, Access.READ),
          Map.entry("GET " + BINDING, Access.READ),
          Map.entry("PUT " + BINDING, Access.ADMIN),
          Map.entry("DELETE " + BINDING, Access.ADMIN),
          Map.entry("GET " + DECISION, Access.READ),
          Map.entry("POST " + EVENT_CANCEL, Access.WRITE),
          Map.entry("GET " + TRANSCRIPT, Access.READ),
          Map.entry("GET " + TRANSCRIPT_SEARCH, Access.READ),
          Map.entry("GET " + STATES, Access.READ),
          Map.entry("GET " + STATE, Access.READ),
          Map.entry("GET " + RUNS, Access.READ),
          Map.entry("GET " + RUN, Access.READ),
          Map.entry("GET " + RUN_EVENTS, Access.READ),
          Map.entry("GET " + RUN_STREAM, Access.READ),
          Map.entry("POST " + RUN_CANCEL, Access.WRITE),
          Map.entry("GET " + DIGESTS, Access.ADMIN),
          Map.entry("GET " + RUNNERS, Access.READ),
          Map.entry("GET " + WORKERS, Access.READ));

  private ApiPaths() {}

  /** The access a method on a route template needs; {@link Access#ADMIN} for one not listed. */
  public static Access access(final String method, final String template) {
    return Optional.ofNullable(ACCESS.get(method + " " + template)).orElse(Access.ADMIN);
  }

  /** {@code /v1/workspaces/{ws}}. */
  public static String workspace(final String workspaceId) {
    return "/v1/workspaces/" + segment(workspaceId);
  }

  /** {@code /v1/workspaces/{ws}/bindings}. */
  public static String bindings(final String workspaceId) {
    return workspace(workspaceId) + "/bindings";
  }

  /** {@code /v1/workspaces/{ws}/bindings/{id}}. */
  public static String binding(final String workspaceId, final String bindingId) {
    return bindings(workspaceId) + "/" + segment(bindingId);
  }

  /** {@code /v1/workspaces/{ws}/events/{id}}: the event's decision. */
  public static String decision(final String workspaceId, final String eventId) {
    return workspace(workspaceId) + "/events/" + segment(eventId);
  }

  /** {@code /v1/workspaces/{ws}/events/{id}/cancel}. */
  public static String eventCancel(final String workspaceId, final String eventId) {
    return decision(workspaceId, eventId) + "/cancel";
  }

  /** {@code /v1/workspaces/{ws}/conversations/{id}/transcript}. */
  public static String transcript(final String workspaceId, final String conversationId) {
    return workspace(workspaceId) + "/conversations/" + segment(conversationId) + "/transcript";
  }

  /** {@code /v1/workspaces/{ws}/conversations/{id}/transcript/search}. */
  public static String transcriptSearch(final String workspaceId, final String conversationId) {
    return transcript(workspaceId, conversationId) + "/search";
  }

  /** {@code /v1/workspaces/{ws}/state/{scope}/{scope_id}}. */
  public static String states(final String workspaceId, final String scope, final String scopeId) {
    return workspace(workspaceId) + "/state/" + segment(scope) + "/" + segment(scopeId);
  }

  /** {@code /v1/workspaces/{ws}/state/{scope}/{scope_id}/{key}}. */
  public static String state(
      final String workspaceId, final String scope, final String scopeId, final String key) {
    return states(workspaceId, scope, scopeId) + "/" + segment(key);
  }

  /** {@code /v1/workspaces/{ws}/runs}: the workspace's run listing. */
  public static String runs(final String workspaceId) {
    return workspace(workspaceId) + "/runs";
  }

  /** {@code /v1/runs/{id}}. */
  public static String run(final String runId) {
    return "/v1/runs/" + segment(runId);
  }

  /** {@code /v1/runs/{id}/events}. */
  public static String runEvents(final String runId) {
    return run(runId) + "/events";
  }

  /** {@code /v1/runs/{id}/events/stream}. */
  public static String runStream(final String runId) {
    return runEvents(runId) + "/stream";
  }

  /** {@code /v1/runs/{id}/cancel}. */
  public static String runCancel(final String runId) {
    return run(runId) + "/cancel";
  }

  /** One path segment or query value, percent-encoded (a space as {@code %20}). */
  public static String segment(final String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
