package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.ApiPaths;
import java.util.ArrayList;
import java.util.List;

/** Reads every event of a run through {@code GET /v1/runs/{run_id}/events}, page by page. */
public final class RunEvents {
  private static final int MAX_PAGES = 1_000;

  private RunEvents() {}

  /** Every event of the run, in order. */
  public static List<JsonNode> all(final ApiClient api, final String runId) {
    final List<JsonNode> events = new ArrayList<>();
    String cursor = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      final String path =
          ApiPaths.runEvents(runId)
              + "?limit=1000"
              + (cursor == null ? "" : "&after=" + ApiPaths.segment(cursor));
      final JsonNode body = api.get(path).orThrow("reading the events of run " + runId);
      body.path("items").forEach(events::add);
      final JsonNode next = body.path("next_cursor");
      if (next.isMissingNode() || next.isNull() || body.path("items").isEmpty()) {
        return events;
      }
      cursor = next.asText();
    }
    return events;
  }
}
