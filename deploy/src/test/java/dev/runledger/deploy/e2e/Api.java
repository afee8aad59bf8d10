package dev.runledger.deploy.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.cli.RunEvents;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** The HTTP API as the end-to-end tests use it. */
final class Api {
  private final ApiClient client;
  private final String baseUrl;
  private final HttpClient raw = HttpClient.newHttpClient();

  Api(final DevStack stack) {
    this.baseUrl = stack.baseUrl();
    this.client = new ApiClient(baseUrl);
  }

  /** Puts a binding of the echo runner for message.* in the workspace (parallel dispatch). */
  void bindEcho(final String bindingId, final String workspace, final int priority) {
    final ObjectNode binding = AvroJson.mapper().createObjectNode();
    binding.putObject("scope").put("workspace_id", workspace);
    binding.putArray("event_types").add("message.*");
    binding.put("runner_id", DevStack.ECHO_RUNNER);
    binding.put("priority", priority);
    binding.putObject("dispatch_policy").put("mode", "parallel");
    client.put("/v1/bindings/" + bindingId, binding).orThrow("putting binding " + bindingId);
  }

  /** A message event. */
  static ObjectNode message(
      final String eventId, final String workspace, final String conversation, final String text) {
    final ObjectNode event = AvroJson.mapper().createObjectNode();
    event.put("event_id", eventId);
    event.put("event_type", "message.received");
    event.put("workspace_id", workspace);
    event.put("conversation_id", conversation);
    event.putObject("input").put("text", text);
    return event;
  }

  /** POSTs one event; returns the 202 body. */
  JsonNode send(final ObjectNode event) {
    return client.post("/v1/events", event).orThrow("posting event " + event.path("event_id"));
  }

  /**
   * Sends probe events in the conversation until one gets a decision other than {@code no_binding},
   * i.e. until the orchestrator has read the workspace's bindings; returns that decision. Each
   * probe has a fresh event id.
   */
  JsonNode awaitBindingsVisible(final String workspace, final String conversation) {
    final java.util.concurrent.atomic.AtomicReference<JsonNode> decided =
        new java.util.concurrent.atomic.AtomicReference<>();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(90))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(
            () -> {
              final String id = "probe-" + java.util.UUID.randomUUID();
              send(message(id, workspace, conversation, "probe"));
              final JsonNode decision = awaitDecision(id);
              decided.set(decision);
              return !"no_binding".equals(decision.path("decision").asText());
            });
    return decided.get();
  }

  /** Waits for an event's decision. */
  JsonNode awaitDecision(final String eventId) {
    return org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(90))
        .pollInterval(java.time.Duration.ofMillis(50))
        .until(() -> decision(eventId), java.util.Objects::nonNull);
  }

  /** Waits for a run to be completed in the view; returns the view. */
  JsonNode awaitCompleted(final String runId) {
    return org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(90))
        .pollInterval(java.time.Duration.ofMillis(50))
        .until(() -> run(runId), r -> r != null && "completed".equals(r.path("status").asText()));
  }

  /** POSTs raw bytes as an event body; returns the answer whatever its status. */
  ApiClient.Response postRaw(final String body) {
    try {
      final HttpResponse<String> response =
          raw.send(
              HttpRequest.newBuilder(URI.create(baseUrl + "/v1/events"))
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      final JsonNode json =
          response.body().isBlank()
              ? AvroJson.mapper().createObjectNode()
              : parseOrText(response.body());
      return new ApiClient.Response(response.statusCode(), json);
    } catch (final IOException e) {
      throw new IllegalStateException(e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  ApiClient.Response get(final String path) {
    return client.get(path);
  }

  /** The decision of an event, or null while there is none. */
  JsonNode decision(final String eventId) {
    final ApiClient.Response response = client.get("/v1/events/" + ApiClient.segment(eventId));
    return response.ok() ? response.body() : null;
  }

  /** The run view, or null while it does not exist. */
  JsonNode run(final String runId) {
    final ApiClient.Response response = client.get("/v1/runs/" + ApiClient.segment(runId));
    return response.ok() ? response.body() : null;
  }

  /** Every event of a run, following cursors. */
  List<JsonNode> events(final String runId) {
    return RunEvents.all(client, runId);
  }

  private static JsonNode parseOrText(final String body) {
    try {
      return AvroJson.mapper().readTree(body);
    } catch (final IOException e) {
      return AvroJson.mapper().getNodeFactory().textNode(body);
    }
  }
}
