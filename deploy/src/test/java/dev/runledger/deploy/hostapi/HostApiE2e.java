package dev.runledger.deploy.hostapi;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.cli.RunEvents;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;

/** Stack settings and HTTP helpers for the host-API end-to-end tests. */
final class HostApiE2e {
  static final Duration WAIT = Duration.ofSeconds(90);

  private final ApiClient client;

  HostApiE2e(final DevStack stack) {
    this.client = new ApiClient(stack.baseUrl());
  }

  /**
   * Settings with a fixed free HTTP port, so the worker's host API finds the views at its default
   * {@code worker.views.url} ({@code http://localhost:<http.port>}).
   */
  static Map<String, String> settings(
      final EmbeddedKafka kafka, final String name, final Path stateDir) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(LedgerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(
        LedgerConfig.TOPIC_PREFIX,
        "t-"
            + name.toLowerCase(Locale.ROOT)
            + "-"
            + UUID.randomUUID().toString().substring(0, 8)
            + ".");
    settings.put(LedgerConfig.TOPIC_PARTITIONS, "3");
    settings.put(LedgerConfig.STATE_DIR, stateDir.toString());
    settings.put(LedgerConfig.HTTP_PORT, Integer.toString(freePort()));
    settings.put(HttpServer.HOST, "127.0.0.1");
    return settings;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (final IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Binds {@code runnerId} to message.* in the workspace. */
  void bind(
      final String bindingId,
      final String workspace,
      final String runnerId,
      final String mode,
      final JsonNode resourcePolicy,
      final JsonNode config) {
    final ObjectNode binding = AvroJson.mapper().createObjectNode();
    binding.putObject("scope").put("workspace_id", workspace);
    binding.putArray("event_types").add("message.*");
    binding.put("runner_id", runnerId);
    binding.set("runner_config", config);
    binding.set("resource_policy", resourcePolicy);
    binding.putObject("dispatch_policy").put("mode", mode);
    client.put("/v1/bindings/" + bindingId, binding).orThrow("putting binding " + bindingId);
  }

  /** Posts a message event with this id (and optional attachment); returns the id. */
  String send(
      final String eventId,
      final String workspace,
      final String conversation,
      final String text,
      final String attachment) {
    final ObjectNode event = AvroJson.mapper().createObjectNode();
    event.put("event_id", eventId);
    event.put("event_type", "message.received");
    event.put("workspace_id", workspace);
    event.put("conversation_id", conversation);
    final ObjectNode input = event.putObject("input");
    input.put("text", text);
    if (attachment != null) {
      input.putArray("attachments").addObject().put("artifact_id", attachment);
    }
    client.post("/v1/events", event).orThrow("posting event " + eventId);
    return eventId;
  }

  String send(final String workspace, final String conversation, final String text) {
    return send("ev-" + UUID.randomUUID(), workspace, conversation, text, null);
  }

  /** Sends probes until the orchestrator knows the workspace's binding; the first decision. */
  JsonNode awaitBindingVisible(final String workspace, final String conversation) {
    final List<JsonNode> decisions = new ArrayList<>();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              final JsonNode decision = awaitDecision(send(workspace, conversation, "probe"));
              if ("no_binding".equals(decision.path("decision").asText())) {
                return false;
              }
              decisions.add(decision);
              return true;
            });
    return decisions.get(0);
  }

  JsonNode awaitDecision(final String eventId) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get("/v1/events/" + ApiClient.segment(eventId)), Objects::nonNull);
  }

  JsonNode awaitRun(final String runId, final Predicate<JsonNode> condition) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> get("/v1/runs/" + ApiClient.segment(runId)), r -> r != null && condition.test(r));
  }

  static boolean terminal(final JsonNode run) {
    return List.of("completed", "failed", "cancelled", "timeout")
        .contains(run.path("status").asText());
  }

  /** Every event of a run. */
  List<JsonNode> events(final String runId) {
    return RunEvents.all(client, runId);
  }

  /** The events of a run of one type. */
  List<JsonNode> events(final String runId, final String type) {
    return events(runId).stream().filter(e -> type.equals(e.path("type").asText())).toList();
  }

  /** GET a path; null unless 2xx. */
  JsonNode get(final String path) {
    final ApiClient.Response response = client.get(path);
    return response.ok() ? response.body() : null;
  }

  static JsonNode json(final String text) {
    return AvroJson.parse(text, "test");
  }
}
