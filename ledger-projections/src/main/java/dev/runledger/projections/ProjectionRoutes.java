package dev.runledger.projections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.RunStatus;
import dev.runledger.projections.fold.ViewKeys;
import dev.runledger.projections.http.EventStream;
import dev.runledger.projections.http.InstanceRouter;
import dev.runledger.projections.http.RunSignals;
import dev.runledger.projections.query.RunFilter;
import dev.runledger.projections.query.RunPage;
import dev.runledger.projections.query.RunQueries;
import dev.runledger.projections.query.ViewDigest;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.http.Caller;
import dev.runledger.schemas.http.Cursors;
import dev.runledger.schemas.http.QueryParams;
import dev.runledger.schemas.json.AvroJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The projections' read API (ARCHITECTURE.md §9.1). Every key is answered by the instance that owns
 * it (other instances forward the request there, see {@link InstanceRouter}); lists fan out to
 * every instance and are merged.
 *
 * <ul>
 *   <li>{@code GET /v1/workspaces/{ws}/runs?conversation_id=&status=&runner_id=&limit=&cursor=} →
 *       {@code {items, next_cursor}}: the workspace's runs, newest first; each instance merges its
 *       partitions' indexes and stops after the page, and the instance asked merges every
 *       instance's page (asked for at once) the same way. The cursor is the index position of the
 *       last run returned, so it stays valid while runs are added.
 *   <li>{@code GET /v1/runs/{run_id}} → the {@code AgentRun}, or 404.
 *   <li>{@code GET /v1/runs/{run_id}/events?after=&limit=} → {@code {items, next_cursor}}.
 *   <li>{@code GET /v1/runs/{run_id}/events/stream} → server-sent events (see {@link EventStream}).
 *   <li>{@code GET /v1/workspaces/{ws}/events/{event_id}} → the event's {@code DispatchDecision},
 *       or 404.
 *   <li>{@code GET /v1/workspaces/{ws}/conversations/{conversation_id}/transcript?before=&after=
 *       &limit=} → {@code {items, next_cursor, prev_cursor, has_more}}; {@code
 *       /transcript/search?q=&top_k=} → {@code {items}}.
 *   <li>{@code GET /v1/workspaces/{ws}/state/{scope}/{scope_id}/{key}} → the {@code StateEntry}, or
 *       404; {@code GET /v1/workspaces/{ws}/state/{scope}/{scope_id}?prefix=&limit=&cursor=} →
 *       {@code {items, next_cursor}}, by key.
 *   <li>{@code GET /v1/views/digests} → {@code {"runs": "count:hash", ...}} over every instance
 *       (used by {@code ledger rebuild}).
 * </ul>
 *
 * The HTTP server checks the workspace of the routes under {@code /v1/workspaces/{ws}}; a run of a
 * workspace the caller ({@link Caller}) does not see answers 404 like an unknown run. {@value
 * InstanceRouter#FORWARDED_HEADER} is honoured only from {@link Caller#INTERNAL} (or while
 * authentication is off).
 *
 * <p>{@code limit} is 1..{@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT}); cursors are opaque.
 * Every read may answer 503 {@code unavailable} while the stores are not readable; a query
 * parameter a route does not take is a 400 naming it.
 */
public final class ProjectionRoutes {
  /** The run statuses as the views and the {@code status} filter write them. */
  private static final List<String> RUN_STATUSES =
      Arrays.stream(RunStatus.values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();

  public static final int DEFAULT_LIMIT = QueryParams.DEFAULT_LIMIT;
  public static final int MAX_LIMIT = QueryParams.MAX_LIMIT;
  public static final int DEFAULT_TOP_K = 10;

  private final RunQueries queries;
  private final InstanceRouter router;
  private final RunSignals signals;

  public ProjectionRoutes(final RunQueries queries) {
    this(queries, InstanceRouter.local(), new RunSignals());
  }

  /**
   * @param signals written to by this instance's fold, so event streams wake at once
   */
  public ProjectionRoutes(
      final RunQueries queries, final InstanceRouter router, final RunSignals signals) {
    this.queries = queries;
    this.router = router;
    this.signals = signals;
  }

  public void register(final Javalin app) {
    app.get(ApiPaths.RUNS, this::runs);
    app.get(ApiPaths.RUN, this::run);
    app.get(ApiPaths.RUN_EVENTS, this::events);
    app.get(ApiPaths.RUN_STREAM, this::stream);
    app.get(ApiPaths.DECISION, this::decision);
    app.get(ApiPaths.TRANSCRIPT, this::transcript);
    app.get(ApiPaths.TRANSCRIPT_SEARCH, this::search);
    app.get(ApiPaths.STATES, this::states);
    app.get(ApiPaths.STATE, this::state);
    app.get(ApiPaths.DIGESTS, this::digests);
  }

  /** A run's JSON from whichever instance owns it, or 404. */
  public JsonNode runJson(final String runId, final boolean forwarded) {
    return owned(
        forwarded,
        ProjectionTopology.RUNS_STORE,
        runId,
        ApiPaths.run(runId),
        () -> AvroJson.toJson(queries.run(runId).orElseThrow(() -> unknownRun(runId))));
  }

  /**
   * The run's JSON when the request's caller sees its workspace; 404 {@code not_found} exactly as
   * for an unknown run when not, so a reader of one workspace cannot even learn that a run of
   * another exists. Checked on the instance the client called, on the JSON it answers with.
   */
  private JsonNode visibleRun(final Context ctx, final String runId) {
    final Caller caller = Caller.of(ctx.attribute(Caller.ATTRIBUTE));
    final JsonNode run = runJson(runId, forwarded(ctx));
    if (!caller.sees(run.path("workspace_id").asText(null))) {
      throw unknownRun(runId);
    }
    return run;
  }

  /** A page of a run's events as JSON from whichever instance owns the run. */
  public JsonNode eventsJson(
      final String runId, final long after, final int limit, final boolean forwarded) {
    return owned(
        forwarded,
        ProjectionTopology.RUNS_STORE,
        runId,
        ApiPaths.runEvents(runId) + "?limit=" + limit + "&after=" + Cursors.encode(after),
        () ->
            ReadBodies.events(
                queries.events(runId, after, limit).orElseThrow(() -> unknownRun(runId))));
  }

  private void runs(final Context ctx) {
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    QueryParams.only(
        ctx.queryParamMap().keySet(), "conversation_id", "status", "runner_id", "limit", "cursor");
    final RunFilter filter =
        new RunFilter(
            blankToNull(ctx.queryParam("conversation_id")),
            status(blankToNull(ctx.queryParam("status"))),
            blankToNull(ctx.queryParam("runner_id")));
    final int limit = limit(ctx.queryParam("limit"));
    final String cursor = blankToNull(ctx.queryParam("cursor"));
    final String after = cursor == null ? null : Cursors.decodeRun(cursor);
    final List<JsonNode> bodies = new ArrayList<>();
    final List<String> others =
        forwarded(ctx) ? List.of() : router.others(ProjectionTopology.RUNS_STORE);
    // the other instances are asked for their pages at once, and answer while this one reads
    final Supplier<List<JsonNode>> remote =
        router.send(others, ApiPaths.runs(workspace) + queryOf(ctx));
    final RunPage local = queries.runs(workspace, filter, after, limit);
    bodies.add(ReadBodies.runs(local));
    bodies.addAll(remote.get());
    ctx.json(ReadBodies.mergeRuns(bodies, limit));
  }

  private void run(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    ctx.json(visibleRun(ctx, ctx.pathParam("run_id")));
  }

  private void events(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet(), "after", "limit");
    final String runId = ctx.pathParam("run_id");
    final long after = Cursors.decode(ctx.queryParam("after"), "after");
    visibleRun(ctx, runId);
    ctx.json(eventsJson(runId, after, limit(ctx.queryParam("limit")), forwarded(ctx)));
  }

  private void stream(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final String runId = ctx.pathParam("run_id");
    final String lastId = ctx.header("Last-Event-ID");
    final long after = EventStream.lastEventId(lastId);
    visibleRun(ctx, runId);
    new EventStream(this, signals, runId, after).serve(ctx);
  }

  private void decision(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String eventId = ctx.pathParam("event_id");
    answer(
        ctx,
        ProjectionTopology.DECISIONS_STORE,
        ViewKeys.decision(workspace, eventId),
        () ->
            AvroJson.toJson(
                queries
                    .decision(workspace, eventId)
                    .orElseThrow(
                        () ->
                            ApiException.notFound(
                                "no dispatch decision for event '"
                                    + eventId
                                    + "' in workspace '"
                                    + workspace
                                    + "' (unknown event, or not decided yet)"))));
  }

  private void transcript(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet(), "before", "after", "limit");
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String conversation = ctx.pathParam("conversation_id");
    final String beforeText = blankToNull(ctx.queryParam("before"));
    final String afterText = blankToNull(ctx.queryParam("after"));
    if (beforeText != null && afterText != null) {
      throw ApiException.invalid("before", "give before or after, not both");
    }
    final Long before = beforeText == null ? null : Cursors.decode(beforeText, "before");
    final Long after = afterText == null ? null : Cursors.decode(afterText, "after");
    final int limit = limit(ctx.queryParam("limit"));
    answer(
        ctx,
        ProjectionTopology.TRANSCRIPT_STORE,
        ViewKeys.conversation(workspace, conversation),
        () ->
            ReadBodies.transcript(
                queries.transcript(workspace, conversation, before, after, limit)));
  }

  private void search(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet(), "q", "top_k");
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String conversation = ctx.pathParam("conversation_id");
    final String q = blankToNull(ctx.queryParam("q"));
    if (q == null) {
      throw ApiException.invalid("q", "give the text to search for in q");
    }
    final int topK = number(ctx.queryParam("top_k"), "top_k", DEFAULT_TOP_K);
    answer(
        ctx,
        ProjectionTopology.TRANSCRIPT_STORE,
        ViewKeys.conversation(workspace, conversation),
        () -> ReadBodies.items(queries.search(workspace, conversation, q, topK)));
  }

  private void state(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final String key = ctx.pathParam("key");
    ownedState(
        ctx,
        (workspace, scope, scopeId) ->
            AvroJson.toJson(
                queries
                    .state(workspace, scope, scopeId, key)
                    .orElseThrow(
                        () ->
                            ApiException.notFound(
                                "no state '" + key + "' in " + scope + "/" + scopeId))));
  }

  private void states(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet(), "prefix", "limit", "cursor");
    final String prefix = ctx.queryParam("prefix");
    final int limit = limit(ctx.queryParam("limit"));
    final String after = Cursors.decodeKey(blankToNull(ctx.queryParam("cursor")));
    ownedState(
        ctx,
        (workspace, scope, scopeId) ->
            ReadBodies.states(queries.states(workspace, scope, scopeId, prefix, after, limit)));
  }

  /** Answers a read of one workspace's state scope where that scope is kept. */
  private void ownedState(final Context ctx, final StateRead local) {
    final String workspace = ctx.pathParam(ApiPaths.WORKSPACE_ID);
    final String scope = ctx.pathParam("scope");
    final String scopeId = ctx.pathParam("scope_id");
    answer(
        ctx,
        ProjectionTopology.STATE_STORE,
        ViewKeys.stateOwner(workspace, scope, scopeId),
        () -> local.read(workspace, scope, scopeId));
  }

  /** A read of one workspace's state scope on the instance that keeps it. */
  @FunctionalInterface
  private interface StateRead {
    JsonNode read(String workspace, String scope, String scopeId);
  }

  private void digests(final Context ctx) {
    QueryParams.only(ctx.queryParamMap().keySet());
    final Map<String, ViewDigest> total = new LinkedHashMap<>(queries.digests());
    if (!forwarded(ctx)) {
      for (final JsonNode other :
          router.getAll(router.others(ProjectionTopology.RUNS_STORE), ApiPaths.DIGESTS)) {
        other
            .properties()
            .forEach(
                e ->
                    total.merge(
                        e.getKey(), ViewDigest.parse(e.getValue().asText()), ViewDigest::plus));
      }
    }
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    total.forEach((view, digest) -> body.put(view, digest.text()));
    ctx.json(body);
  }

  /** Answers with the owner's JSON for {@code key} in {@code store}, or with {@code local}. */
  private void answer(
      final Context ctx, final String store, final String key, final Supplier<JsonNode> local) {
    ctx.json(owned(forwarded(ctx), store, key, pathAndQuery(ctx), local));
  }

  private JsonNode owned(
      final boolean forwarded,
      final String store,
      final String key,
      final String pathAndQuery,
      final Supplier<JsonNode> local) {
    if (!forwarded) {
      final Optional<String> owner = router.owner(store, key);
      if (owner.isPresent()) {
        return router.get(owner.get(), pathAndQuery);
      }
    }
    return local.get();
  }

  /**
   * Whether another instance forwarded the request: its header, honoured only from {@link
   * Caller#INTERNAL} (a client's means nothing) or while authentication is off ({@link
   * Caller#UNRESTRICTED}, where no request can be told from another's and every one may read
   * everything, so that forwarded listings still never fan out again).
   */
  static boolean forwarded(final Context ctx) {
    final Object caller = ctx.attribute(Caller.ATTRIBUTE);
    return ctx.header(InstanceRouter.FORWARDED_HEADER) != null
        && (Caller.INTERNAL.equals(caller) || Caller.UNRESTRICTED.equals(caller));
  }

  private static String pathAndQuery(final Context ctx) {
    return ctx.path() + queryOf(ctx);
  }

  private static String queryOf(final Context ctx) {
    return ctx.queryString() == null ? "" : "?" + ctx.queryString();
  }

  private static String blankToNull(final String text) {
    return text == null || text.isBlank() ? null : text;
  }

  /** A run status filter as the views write it (lowercase), or null; any other value is 400. */
  private static String status(final String text) {
    if (text == null) {
      return null;
    }
    if (!RUN_STATUSES.contains(text)) {
      throw ApiException.invalid(
          "status",
          "unknown status '" + text + "'; give one of " + String.join(", ", RUN_STATUSES));
    }
    return text;
  }

  private static int limit(final String text) {
    return QueryParams.limit(text);
  }

  private static int number(final String text, final String field, final int fallback) {
    return QueryParams.number(text, field, fallback);
  }

  private static ApiException unknownRun(final String runId) {
    return ApiException.notFound(
        "run '" + runId + "' is not known (unknown id, or not created yet)");
  }
}
