package dev.runledger.gateway.views;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The gateway's port to the projections' views (contract C3, ARCHITECTURE.md §12): what it needs to
 * answer cancel requests. The default implementation is {@link HttpRunViews}.
 */
public interface RunViews {

  /** The run view ({@code GET /v1/runs/{run_id}}), or empty when the run is unknown. */
  Optional<JsonNode> run(String runId);

  /**
   * The decision of event {@code eventId} of workspace {@code workspaceId} ({@code GET
   * /v1/workspaces/{workspace_id}/events/{event_id}}), or empty when it has none.
   */
  Optional<JsonNode> decision(String workspaceId, String eventId);
}
