package dev.runledger.deploy.harness;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.cli.RunEvents;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The runledger HTTP API as every end-to-end suite uses it: bindings, events, decisions, run views
 * and their events, each wait bounded by {@link #WAIT}. Built on the CLI's {@link ApiClient}.
 */
public final class TestApi {
  /** How long any wait may take before the test fails. */
  public static final Duration WAIT = Duration.ofSeconds(90);

  private static final List<String> TERMINAL =
      List.of("completed", "failed", "cancelled", "timeout");

  private final String baseUrl;
  private final String token;
  private final ApiClient client;

  /** The workspace of every event this client posted, by event id (decisions are per workspace). */
  private final Map<String, String> workspaces = new ConcurrentHashMap<>();

  public TestApi(final String baseUrl) {
    this(baseUrl, null);
  }

  /** The API at {@code baseUrl}, every request carrying {@code token} (none when null). */
  public TestApi(final String baseUrl, final String token) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.client = new ApiClient(baseUrl, token);
  }

  public TestApi(final DevStack stack) {
    this(stack.baseUrl());
  }

  public String url() {
    return baseUrl;
  }

  /** The same API, called with {@code token} (null: none). */
  public TestApi as(final String token) {
    return new TestApi(baseUrl, token);
  }

  /** The client underneath, for a request of any method on any path. */
  public ApiClient client() {
    return client;
  }

  /** PUTs the binding. */
  public void bind(final String bindingId, final Binding binding) {
    client
        .put(ApiPaths.binding(binding.workspace(), bindingId), binding.json())
        .orThrow("putting binding " + bindingId);
  }

  /** A message event. */
  public static ObjectNode message(
      final String eventId, final String workspace, final String conversation, final String text) {
    final ObjectNode event = AvroJson.mapper().createObjectNode();
    event.put("event_id", eventId);
    event.put("event_type", "message.received");
    event.put("workspace_id", workspace);
    event.put("conversation_id", conversation);
    event.putObject("input").put("text", text);
    return event;
  }

  /** Adds an attachment to a message event; returns the event. */
  public static ObjectNode attach(final ObjectNode event, final String artifactId) {
    ((ObjectNode) event.path("input"))
        .putArray("attachments")
        .addObject()
        .put("artifact_id", artifactId);
    return event;
  }

  /** POSTs one event; returns the 202 body. */
  public JsonNode post(final ObjectNode event) {
    final JsonNode accepted =
        client.post(ApiPaths.EVENTS, event).orThrow("posting event " + event.path("event_id"));
    posted(accepted.path("event_id").asText(), event.path("workspace_id").asText());
    return accepted;
  }

  /** Notes the workspace of an event written some other way, so its decision can be looked up. */
  public void posted(final String eventId, final String workspace) {
    workspaces.put(eventId, workspace);
  }

  /** The workspace of an event this client posted (or was told of with {@link #posted}). */
  public String workspaceOf(final String eventId) {
    final String workspace = workspaces.get(eventId);
    if (workspace == null) {
      throw new IllegalStateException(
          "event " + eventId + " was not posted through this TestApi: give its workspace");
    }
    return workspace;
  }

  /** Posts a message event with this id; returns the id. */
  public String send(
      final String eventId, final String workspace, final String conversation, final String text) {
    post(message(eventId, workspace, conversation, text));
    return eventId;
  }

  /** Posts a message event with a fresh id; returns it. */
  public String send(final String workspace, final String conversation, final String text) {
    return send("ev-" + UUID.randomUUID(), workspace, conversation, text);
  }

  /** POSTs raw text as an event body; the answer whatever its status. */
  public ApiClient.Response postRaw(final String body) {
    return client.postText(ApiPaths.EVENTS, body);
  }

  /** POSTs a JSON body to any path; the answer whatever its status. */
  public ApiClient.Response post(final String path, final JsonNode body) {
    return client.post(path, body);
  }

  /**
   * Sends probe events (fresh ids) in the conversation until one gets a decision other than {@code
   * no_binding}, i.e. until the orchestrator has read the workspace's bindings; that decision.
   */
  public JsonNode awaitBinding(final String workspace, final String conversation) {
    final AtomicReference<JsonNode> decided = new AtomicReference<>();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              final JsonNode decision =
                  awaitDecision(
                      send("probe-" + UUID.randomUUID(), workspace, conversation, "probe"));
              decided.set(decision);
              return !"no_binding".equals(decision.path("decision").asText());
            });
    return decided.get();
  }

  /** The decision of an event, or null while there is none. */
  public JsonNode decision(final String eventId) {
    return decision(workspaceOf(eventId), eventId);
  }

  /** The decision of an event of {@code workspace}, or null while there is none. */
  public JsonNode decision(final String workspace, final String eventId) {
    return find(ApiPaths.decision(workspace, eventId));
  }

  /** Waits for an event's decision. */
  public JsonNode awaitDecision(final String eventId) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> decision(eventId), Objects::nonNull);
  }

  /** Waits for an event's decision of this kind, e.g. {@code followup}. */
  public JsonNode awaitDecision(final String eventId, final String kind) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> decision(eventId), d -> d != null && kind.equals(d.path("decision").asText()));
  }

  /** The run an event created (waits for the decision). */
  public String runOf(final String eventId) {
    return awaitDecision(eventId).path("run_id").asText();
  }

  /** The run view, or null while it does not exist. */
  public JsonNode run(final String runId) {
    return find(ApiPaths.run(runId));
  }

  /** Waits until the run view satisfies {@code condition}; returns it. */
  public JsonNode awaitRun(final String runId, final Predicate<JsonNode> condition) {
    return await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> run(runId), r -> r != null && condition.test(r));
  }

  /** Waits until the run view has {@code status}; returns it. */
  public JsonNode awaitStatus(final String runId, final String status) {
    return awaitRun(runId, run -> hasStatus(run, status));
  }

  /** Every event of a run, following cursors. */
  public List<JsonNode> events(final String runId) {
    return RunEvents.all(client, runId);
  }

  /** The events of a run of one type. */
  public List<JsonNode> events(final String runId, final String type) {
    return events(runId).stream().filter(e -> type.equals(e.path("type").asText())).toList();
  }

  /** The types of a run's events, in order. */
  public List<String> types(final String runId) {
    return events(runId).stream().map(e -> e.path("type").asText()).toList();
  }

  /**
   * The ids of a run's SSE stream ({@code /events/stream}), from {@code lastEventId} (null: from
   * the start); hangs up after {@code max} of them or when the stream ends.
   */
  public List<Long> stream(final String runId, final String lastEventId, final int max) {
    try {
      final HttpResponse<InputStream> response =
          HttpClient.newHttpClient()
              .send(
                  streamRequest(runId, lastEventId, Duration.ofSeconds(60)),
                  HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("stream of " + runId + ": HTTP " + response.statusCode());
      }
      final List<Long> ids = new ArrayList<>();
      try (BufferedReader reader =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String line;
        while (ids.size() < max && (line = reader.readLine()) != null) {
          if (line.startsWith("id: ")) {
            ids.add(Long.parseLong(line.substring(4)));
          }
        }
      }
      return ids;
    } catch (final IOException e) {
      throw new IllegalStateException(e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The whole answer of a run's SSE stream from {@code lastEventId}, whatever its status; fails
   * when the stream has not ended within 30 s.
   */
  public HttpResponse<String> streamResponse(final String runId, final String lastEventId) {
    try {
      return HttpClient.newHttpClient()
          .sendAsync(
              streamRequest(runId, lastEventId, Duration.ofSeconds(30)),
              HttpResponse.BodyHandlers.ofString())
          .get(30, TimeUnit.SECONDS);
    } catch (final ExecutionException | TimeoutException e) {
      throw new IllegalStateException("stream of " + runId + " did not end", e);
    } catch (final InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A GET of a run's SSE stream, resumed after {@code lastEventId} unless that is null. */
  private HttpRequest streamRequest(
      final String runId, final String lastEventId, final Duration timeout) {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + ApiPaths.runStream(runId))).timeout(timeout);
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return request.build();
  }

  /** The body of a 2xx GET; anything else fails. */
  public JsonNode get(final String path) {
    return client.get(path).orThrow("GET " + baseUrl + path);
  }

  /** The body of a 2xx GET, else null. */
  public JsonNode find(final String path) {
    final ApiClient.Response response = client.get(path);
    return response.ok() ? response.body() : null;
  }

  /** The answer to a GET whatever its status. */
  public ApiClient.Response response(final String path) {
    return client.get(path);
  }

  public static boolean hasStatus(final JsonNode run, final String status) {
    return status.equals(run.path("status").asText());
  }

  /** Whether the run view is in a terminal status. */
  public static boolean terminal(final JsonNode run) {
    return TERMINAL.contains(run.path("status").asText());
  }

  /** JSON text as a tree. */
  public static JsonNode json(final String text) {
    return AvroJson.parse(text, "test");
  }
}
