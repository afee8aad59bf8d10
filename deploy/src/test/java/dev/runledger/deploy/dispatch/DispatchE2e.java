package dev.runledger.deploy.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.cli.RunEvents;
import dev.runledger.schemas.json.AvroJson;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.awaitility.Awaitility;

/** The HTTP API as the dispatch end-to-end tests use it. */
final class DispatchE2e {
  static final Duration WAIT = Duration.ofSeconds(60);

  private final ApiClient client;

  DispatchE2e(final DevStack stack) {
    this.client = new ApiClient(stack.baseUrl());
  }

  ApiClient client() {
    return client;
  }

  /** Binds {@code runnerId} for message.* in {@code workspace}; mode null = the runner default. */
  void bind(
      final String bindingId,
      final String workspace,
      final String runnerId,
      final String mode,
      final String onUnpulled,
      final ObjectNode config,
      final Long timeoutMs) {
    final ObjectNode binding = AvroJson.mapper().createObjectNode();
    binding.putObject("scope").put("workspace_id", workspace);
    binding.putArray("event_types").add("message.*");
    binding.put("runner_id", runnerId);
    final ObjectNode policy = binding.putObject("dispatch_policy");
    if (mode != null) {
      policy.put("mode", mode);
    }
    if (onUnpulled != null) {
      policy.put("on_unpulled", onUnpulled);
    }
    if (config != null) {
      binding.set("runner_config", config);
    }
    if (timeoutMs != null) {
      binding.put("timeout_ms", timeoutMs);
    }
    client.put("/v1/bindings/" + bindingId, binding).orThrow("putting binding " + bindingId);
  }

  static ObjectNode echo(final int turns, final int turnDelayMs) {
    return AvroJson.mapper()
        .createObjectNode()
        .put("turns", turns)
        .put("turn_delay_ms", turnDelayMs);
  }

  /** Posts a message in {@code workspace}/{@code conversation}. */
  void send(final String eventId, final String workspace, final String conversation) {
    final ObjectNode event = AvroJson.mapper().createObjectNode();
    event.put("event_id", eventId);
    event.put("event_type", "message.received");
    event.put("workspace_id", workspace);
    event.put("conversation_id", conversation);
    event.putObject("input").put("text", "text of " + eventId);
    client.post("/v1/events", event).orThrow("posting " + eventId);
  }

  /** Sends probe events until the orchestrator has read the workspace's binding. */
  void awaitBound(final String workspace) {
    final int[] n = {0};
    Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              final String probe = workspace + "-probe-" + n[0]++;
              send(probe, workspace, "probe-" + probe);
              final JsonNode decision = awaitDecision(probe);
              return !"no_binding".equals(decision.path("decision").asText());
            });
  }

  JsonNode decision(final String eventId) {
    final ApiClient.Response response = client.get("/v1/events/" + ApiClient.segment(eventId));
    return response.ok() ? response.body() : null;
  }

  JsonNode awaitDecision(final String eventId) {
    return Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> decision(eventId), Objects::nonNull);
  }

  JsonNode awaitDecision(final String eventId, final String kind) {
    return Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> decision(eventId), d -> d != null && kind.equals(d.path("decision").asText()));
  }

  JsonNode run(final String runId) {
    final ApiClient.Response response = client.get("/v1/runs/" + ApiClient.segment(runId));
    return response.ok() ? response.body() : null;
  }

  /** Waits until the run's view has {@code status}. */
  JsonNode awaitStatus(final String runId, final String status) {
    return Awaitility.await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> run(runId), r -> r != null && status.equals(r.path("status").asText()));
  }

  /** Every event of a run, following cursors. */
  List<JsonNode> events(final String runId) {
    return RunEvents.all(client, runId);
  }

  List<String> types(final String runId) {
    return events(runId).stream().map(e -> e.path("type").asText()).toList();
  }
}
