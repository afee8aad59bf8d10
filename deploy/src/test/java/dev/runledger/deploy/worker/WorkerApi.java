package dev.runledger.deploy.worker;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.cli.RunEvents;
import dev.runledger.schemas.json.AvroJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;

/** The HTTP API as the worker end-to-end tests use it (bindings, events, run views). */
final class WorkerApi {
  static final Duration WAIT = Duration.ofSeconds(90);

  private final ApiClient client;

  WorkerApi(final DevStack stack) {
    this.client = new ApiClient(stack.baseUrl());
  }

  /** Binds {@code runnerId} with {@code config} to message.* in the workspace (parallel mode). */
  void bind(
      final String bindingId,
      final String workspace,
      final String runnerId,
      final JsonNode config) {
    final ObjectNode binding = AvroJson.mapper().createObjectNode();
    binding.putObject("scope").put("workspace_id", workspace);
    binding.putArray("event_types").add("message.*");
    binding.put("runner_id", runnerId);
    binding.set("runner_config", config);
    binding.putObject("dispatch_policy").put("mode", "parallel");
    client.put("/v1/bindings/" + bindingId, binding).orThrow("putting binding " + bindingId);
  }

  /** Posts a message event; returns its event id. */
  String send(final String workspace, final String conversation, final String text) {
    return sendWithId("ev-" + UUID.randomUUID(), workspace, conversation, text);
  }

  /** Posts a message event with this id; returns it. */
  String sendWithId(
      final String eventId, final String workspace, final String conversation, final String text) {
    final ObjectNode event = AvroJson.mapper().createObjectNode();
    event.put("event_id", eventId);
    event.put("event_type", "message.received");
    event.put("workspace_id", workspace);
    event.put("conversation_id", conversation);
    event.putObject("input").put("text", text);
    client.post("/v1/events", event).orThrow("posting event " + eventId);
    return eventId;
  }

  /**
   * Sends probe events until one creates a run (the orchestrator knows the binding); its run id.
   */
  String awaitBindingVisible(final String workspace) {
    final List<String> runs = new ArrayList<>();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              final JsonNode decision = awaitDecision(send(workspace, "probe", "probe"));
              if ("no_binding".equals(decision.path("decision").asText())) {
                return false;
              }
              runs.add(decision.path("run_id").asText());
              return true;
            });
    return runs.get(0);
  }

  /** Waits for an event's decision. */
  JsonNode awaitDecision(final String eventId) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get("/v1/events/" + ApiClient.segment(eventId)), Objects::nonNull);
  }

  /** The run id an event created (waits for the decision). */
  String runOf(final String eventId) {
    return awaitDecision(eventId).path("run_id").asText();
  }

  /** The run view, or null while it does not exist. */
  JsonNode run(final String runId) {
    return get("/v1/runs/" + ApiClient.segment(runId));
  }

  /** Waits until the run view satisfies {@code condition}; returns it. */
  JsonNode awaitRun(final String runId, final Predicate<JsonNode> condition) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> run(runId), r -> r != null && condition.test(r));
  }

  /** Every event of a run, following cursors. */
  List<JsonNode> events(final String runId) {
    return RunEvents.all(client, runId);
  }

  static boolean status(final JsonNode run, final String status) {
    return status.equals(run.path("status").asText());
  }

  static boolean terminal(final JsonNode run) {
    return List.of("completed", "failed", "cancelled", "timeout")
        .contains(run.path("status").asText());
  }

  private JsonNode get(final String path) {
    final ApiClient.Response response = client.get(path);
    return response.ok() ? response.body() : null;
  }
}
