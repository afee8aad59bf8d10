package dev.runledger.worker.hostapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The host API's port to the projections' views (contract C3, ARCHITECTURE.md §12). Every read of a
 * workspace-scoped view names the run's workspace; every answer is the JSON of the projection's
 * HTTP API (ARCHITECTURE.md §9.1); "not there" is an empty {@link Optional}. Failures to reach the
 * views throw {@link dev.runledger.worker.spi.AgentApiException} with {@code runtime_error}.
 */
interface ViewReader {

  /**
   * {@code GET /v1/workspaces/{ws}/conversations/{id}/transcript?before=&after=&limit=}: {@code
   * {items, next_cursor, prev_cursor, has_more}}.
   */
  JsonNode transcript(
      String workspaceId, String conversationId, String before, String after, int limit);

  /**
   * {@code GET /v1/workspaces/{ws}/conversations/{id}/transcript/search?q=&top_k=}: {@code
   * {items}}.
   */
  JsonNode searchTranscript(String workspaceId, String conversationId, String query, int topK);

  /** {@code GET /v1/workspaces/{ws}/events/{event_id}}: the event's dispatch decision. */
  Optional<JsonNode> decision(String workspaceId, String eventId);

  /** {@code GET /v1/runs/{run_id}}: the run view. */
  Optional<JsonNode> run(String runId);

  /** {@code GET /v1/workspaces/{ws}/state/{scope}/{scope_id}/{key}}: a StateEntry. */
  Optional<JsonNode> state(String workspaceId, String scope, String scopeId, String key);

  /**
   * {@code GET /v1/workspaces/{ws}/state/{scope}/{scope_id}?prefix=}: {@code {items:[StateEntry]}},
   * every entry (the listing's pages followed to the end).
   */
  JsonNode stateList(String workspaceId, String scope, String scopeId, String prefix);
}
