package dev.runledger.projections;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.AgentRun;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.projections.query.EventPage;
import dev.runledger.projections.query.RunQueries;
import dev.runledger.schemas.http.ApiException;
import dev.runledger.schemas.json.AvroJson;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * The projections' read API (SPEC §8.2):
 *
 * <ul>
 *   <li>{@code GET /v1/runs/{run_id}} → the {@code AgentRun}, or 404.
 *   <li>{@code GET /v1/runs/{run_id}/events?after=&limit=} → {@code {"items": [AgentRunEvent...],
 *       "next_cursor": "..."|null}}; {@code after} is a {@code next_cursor} from an earlier page
 *       (absent: from the first event), {@code limit} 1..{@value #MAX_LIMIT}, default {@value
 *       #DEFAULT_LIMIT}; {@code next_cursor} is null when no more events exist yet. 404 for an
 *       unknown run, 400 for a bad cursor or limit.
 *   <li>{@code GET /v1/events/{event_id}} → the event's {@code DispatchDecision}, or 404.
 * </ul>
 *
 * Every read may answer 503 {@code unavailable} while the stores are not readable.
 */
public final class ProjectionRoutes {
  public static final int DEFAULT_LIMIT = 100;
  public static final int MAX_LIMIT = 1000;

  private final RunQueries queries;

  public ProjectionRoutes(final RunQueries queries) {
    this.queries = queries;
  }

  public void register(final Javalin app) {
    app.get("/v1/runs/{run_id}", this::run);
    app.get("/v1/runs/{run_id}/events", this::events);
    app.get("/v1/events/{event_id}", this::decision);
  }

  private void run(final Context ctx) {
    final String runId = ctx.pathParam("run_id");
    final AgentRun run = queries.run(runId).orElseThrow(() -> unknownRun(runId));
    ctx.json(AvroJson.toJson(run));
  }

  private void events(final Context ctx) {
    final String runId = ctx.pathParam("run_id");
    final long after = EventCursors.decode(ctx.queryParam("after"), "after");
    final int limit = limit(ctx.queryParam("limit"));
    final EventPage page = queries.events(runId, after, limit).orElseThrow(() -> unknownRun(runId));
    final ObjectNode body = AvroJson.mapper().createObjectNode();
    final ArrayNode items = body.putArray("items");
    page.items().forEach(event -> items.add(AvroJson.toJson(event)));
    if (page.nextAfter().isPresent()) {
      body.put("next_cursor", EventCursors.encode(page.nextAfter().getAsLong()));
    } else {
      body.putNull("next_cursor");
    }
    ctx.json(body);
  }

  private void decision(final Context ctx) {
    final String eventId = ctx.pathParam("event_id");
    final DispatchDecision decision =
        queries
            .decision(eventId)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "no dispatch decision for event '"
                            + eventId
                            + "' (unknown event, or not decided yet)"));
    ctx.json(AvroJson.toJson(decision));
  }

  private static int limit(final String text) {
    if (text == null || text.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      final int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (final NumberFormatException e) {
      // reported below
    }
    throw ApiException.invalid(
        "limit", "must be a whole number from 1 to " + MAX_LIMIT + ", got '" + text + "'");
  }

  private static ApiException unknownRun(final String runId) {
    return ApiException.notFound(
        "run '" + runId + "' is not known (unknown id, or not created yet)");
  }
}
