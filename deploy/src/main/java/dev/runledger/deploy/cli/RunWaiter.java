package dev.runledger.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.schemas.http.ApiPaths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Waits, through the HTTP API, until the runs of some events are completed: first each event's
 * dispatch decision ({@code GET /v1/workspaces/{ws}/events/{id}}), then its run ({@code GET
 * /v1/runs/{id}}).
 */
final class RunWaiter {
  private static final Duration POLL = Duration.ofMillis(200);

  private final ApiClient api;
  private final Duration timeout;

  RunWaiter(final ApiClient api, final Duration timeout) {
    this.api = api;
    this.timeout = timeout;
  }

  /**
   * The latest view of each event's run, and one line per event whose run did not complete.
   *
   * @param runs the runs found, in event order
   * @param failures why an event has no completed run, naming the event and its run
   */
  record Outcome(List<JsonNode> runs, List<String> failures) {}

  /** The decision of one event, or null if none came within the timeout. */
  JsonNode awaitDecision(final String workspaceId, final String eventId) {
    return poll(ApiPaths.decision(workspaceId, eventId), Instant.now().plus(timeout), d -> true);
  }

  /** Waits for the runs of {@code eventIds}, every one of them posted in {@code workspaceId}. */
  Outcome awaitCompleted(final String workspaceId, final List<String> eventIds) {
    final Instant deadline = Instant.now().plus(timeout);
    final List<JsonNode> runs = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    for (final String eventId : eventIds) {
      final JsonNode decision = poll(ApiPaths.decision(workspaceId, eventId), deadline, d -> true);
      if (decision == null) {
        failures.add(
            "event " + eventId + ": no dispatch decision within " + timeout.toSeconds() + " s");
        continue;
      }
      final String kind = decision.path("decision").asText();
      if (!"run_created".equals(kind)) {
        failures.add(
            "event "
                + eventId
                + ": decision "
                + kind
                + " ("
                + decision.path("reason").asText()
                + ")");
        continue;
      }
      final String runId = decision.path("run_id").asText();
      final JsonNode run = poll(ApiPaths.run(runId), deadline, RunWaiter::terminal);
      if (run == null) {
        failures.add(
            "run "
                + runId
                + " (event "
                + eventId
                + "): not in the runs view within "
                + timeout.toSeconds()
                + " s");
        continue;
      }
      runs.add(run);
      final String status = run.path("status").asText();
      if (!"completed".equals(status)) {
        failures.add(
            "run " + runId + " (event " + eventId + "): status " + status + describeError(run));
      }
    }
    return new Outcome(runs, failures);
  }

  private static boolean terminal(final JsonNode run) {
    return switch (run.path("status").asText().toLowerCase(Locale.ROOT)) {
      case "completed", "failed", "cancelled", "timeout" -> true;
      default -> false;
    };
  }

  private static String describeError(final JsonNode run) {
    final JsonNode error = run.path("error");
    return error.isObject()
        ? " (" + error.path("code").asText() + ": " + error.path("message").asText() + ")"
        : "";
  }

  /**
   * GETs {@code path} until it answers 200 with a body that passes {@code done}; the last 200 body
   * when the deadline passes (null if there was none).
   */
  private JsonNode poll(
      final String path,
      final Instant deadline,
      final java.util.function.Predicate<JsonNode> done) {
    JsonNode last = null;
    while (true) {
      final ApiClient.Response response = api.get(path);
      if (response.ok()) {
        last = response.body();
        if (done.test(last)) {
          return last;
        }
      } else if (response.status() != 404 && response.status() != 503) {
        response.orThrow("GET " + path);
      }
      if (Instant.now().isAfter(deadline)) {
        return last;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (final InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
    }
  }
}
