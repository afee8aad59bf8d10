package dev.runledger.deploy.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.StateUpdated;
import dev.runledger.deploy.Cli;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Projections on the real broker: a workload of real echo runs plus ledger records written directly
 * (a fenced attempt, a cancelled run, a timed-out run, state updates), then the read API, the SSE
 * stream, {@code ledger rebuild}, {@code ledger verify} and {@code ledger cleanup}.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProjectionsEndToEndTest {
  private DevStack stack;
  private ApiClient api;
  private final List<String> echoRuns = new ArrayList<>();
  private String[] kafkaArgs;

  @BeforeAll
  void start(final EmbeddedKafka kafka, @TempDir final Path state) {
    final String prefix =
        "t-proj-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT) + ".";
    final Map<String, String> settings = new HashMap<>();
    settings.put(LedgerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(LedgerConfig.TOPIC_PREFIX, prefix);
    settings.put(LedgerConfig.TOPIC_PARTITIONS, "3");
    settings.put(LedgerConfig.STATE_DIR, state.toString());
    settings.put(LedgerConfig.HTTP_PORT, "0");
    settings.put(HttpServer.HOST, "127.0.0.1");
    stack = DevStack.start(LedgerConfig.of(settings));
    api = new ApiClient(stack.baseUrl());
    kafkaArgs =
        new String[] {
          "--bootstrap-servers", kafka.bootstrapServers(), "--set", "topic.prefix=" + prefix
        };
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(90));
    final var binding = AvroJson.mapper().createObjectNode();
    binding.putObject("scope").put("workspace_id", "w-p");
    binding.putArray("event_types").add("message.*");
    binding.put("runner_id", DevStack.ECHO_RUNNER);
    binding.putObject("dispatch_policy").put("mode", "parallel");
    api.put("/v1/bindings/b-p", binding).orThrow("binding");
    // real runs through the whole pipeline; the first ones may meet no binding yet
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              final String id = "ev-" + UUID.randomUUID();
              final var event = AvroJson.mapper().createObjectNode();
              event.put("event_id", id);
              event.put("event_type", "message.received");
              event.put("workspace_id", "w-p");
              event.put("conversation_id", "conv-p");
              event.putObject("input").put("text", "hello " + echoRuns.size());
              api.post("/v1/events", event).orThrow("send");
              final JsonNode decision =
                  Awaitility.await()
                      .atMost(Duration.ofSeconds(60))
                      .until(() -> get("/v1/events/" + id), d -> d != null);
              if ("run_created".equals(decision.path("decision").asText())) {
                echoRuns.add(decision.path("run_id").asText());
                api.post("/v1/events", event).orThrow("send duplicate");
              }
              return echoRuns.size() >= 2;
            });
    for (final String run : echoRuns) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> get("/v1/runs/" + run),
              r -> r != null && "completed".equals(r.path("status").asText()));
    }
    // direct records: a fenced attempt and a cancel, a timed-out run, state updates
    final Instant t = Instant.now();
    produce(
        List.of(
            rec("d-1", 1, 1, t, new RunClaimed("w-a", 1)),
            rec(
                "d-1",
                1,
                2,
                t,
                result(
                    "state.updated", new StateUpdated("conversation", "conv-p", "mood", "\"ok\""))),
            rec("d-1", 2, 1, t, new RunClaimed("w-b", 2)),
            rec(
                "d-1",
                1,
                3,
                t,
                result(
                    "message.completed",
                    new MessageCompleted(new ChatMessage("assistant", "fenced")))),
            rec(
                "d-1",
                2,
                2,
                t,
                result(
                    "state.updated",
                    new StateUpdated("conversation", "conv-p", "mood", "\"great\""))),
            rec(
                "d-1",
                2,
                3,
                t,
                result("run.failed", new RunFailed("cancelled", "stop", false, List.of()))),
            rec("d-2", 0, 1, t, new RunTimedOut(t))));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> get("/v1/runs/d-2"),
            r -> r != null && "timeout".equals(r.path("status").asText()));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> get("/v1/state/conversation/conv-p/mood"),
            s -> s != null && s.path("version").asLong() == 2);
  }

  @AfterAll
  void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  void shouldServeRunsTranscriptAndStateWhenWorkloadIsDone() {
    // then
    final JsonNode cancelled = get("/v1/runs/d-1");
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.path("fenced_count").asInt()).isEqualTo(1);
    final JsonNode list = api.get("/v1/runs?limit=1000").orThrow("list");
    final List<String> ids = new ArrayList<>();
    list.path("items").forEach(r -> ids.add(r.path("run_id").asText()));
    assertThat(ids).doesNotHaveDuplicates().contains("d-1", "d-2").containsAll(echoRuns);
    final JsonNode transcript =
        api.get("/v1/conversations/conv-p/transcript?limit=1000").orThrow("t");
    final List<String> texts = new ArrayList<>();
    transcript.path("items").forEach(i -> texts.add(i.path("content").asText()));
    assertThat(texts).doesNotContain("fenced").contains("hello 0");
    final JsonNode mood = get("/v1/state/conversation/conv-p/mood");
    assertThat(mood.path("value").asText()).isEqualTo("great");
  }

  @Test
  @Order(2)
  void shouldStreamEveryEventOnceInOrderAndResumeWhenReconnecting() throws Exception {
    // given
    final String run = echoRuns.get(0);
    final int total = eventCount(run);

    // when
    final List<Long> all = stream(run, null);
    final List<Long> resumed = stream(run, "2");

    // then
    assertThat(all).hasSize(total);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i)).isEqualTo(i + 1L);
    }
    assertThat(resumed).isEqualTo(all.subList(2, all.size()));
  }

  @Test
  @Order(2)
  void shouldCloseAtOnceWhenResumedAtOrAfterTheTerminalAndRefuseABogusId() throws Exception {
    // given a finished run, its terminal event the last one
    final String run = echoRuns.get(0);
    final long total = eventCount(run);

    // when an EventSource reconnects with the terminal's id, or with a later one
    final List<Long> atTerminal = stream(run, Long.toString(total));
    final List<Long> after = stream(run, Long.toString(total + 10));
    final HttpResponse<String> bogus = streamResponse(run, "not-an-id");
    final HttpResponse<String> negative = streamResponse(run, "-1");

    // then both streams end with nothing to send, and the bogus ids are refused
    assertThat(atTerminal).isEmpty();
    assertThat(after).isEmpty();
    for (final HttpResponse<String> refused : List.of(bogus, negative)) {
      assertThat(refused.statusCode()).isEqualTo(400);
      final JsonNode error = AvroJson.mapper().readTree(refused.body()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("invalid_argument");
      assertThat(error.path("field").asText()).isEqualTo("Last-Event-ID");
    }
  }

  @Test
  @Order(2)
  void shouldLeaveTranscriptUnchangedWhenAnEventIsSentAgain() {
    // given an event of a conversation no binding serves (so no run), sent and decided
    final String id = "ev-dup-" + UUID.randomUUID();
    api.post("/v1/events", message(id, "first")).orThrow("send");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get("/v1/events/" + id), d -> d != null);

    // when it is sent again with another text, then a new event follows it
    api.post("/v1/events", message(id, "never processed")).orThrow("send again");
    api.post("/v1/events", message("ev-next-" + UUID.randomUUID(), "after")).orThrow("send next");

    // then, once the next one is in, the re-sent one is not
    final List<String> texts = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              texts.clear();
              final JsonNode page = get("/v1/conversations/conv-dup/transcript");
              if (page != null) {
                page.path("items").forEach(i -> texts.add(i.path("content").asText()));
              }
              return texts.contains("after");
            });
    assertThat(texts).containsExactly("first", "after");
  }

  @Test
  @Order(3)
  void shouldRebuildEqualToLiveAndVerifyCleanThenReportExactlyTheGap() {
    // when
    final Cli.Result rebuild = cli("rebuild", "--url", stack.baseUrl());
    final Cli.Result verify = cli("verify");

    // then
    assertThat(rebuild.code()).as(rebuild.out() + rebuild.err()).isZero();
    assertThat(rebuild.out()).contains("rebuild equals live");
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("0 violation(s)");

    // when a gap is appended
    produce(List.of(rec("d-2", 0, 5, Instant.now(), new CancelRequested("late", "api"))));
    final Cli.Result broken = cli("verify");

    // then
    assertThat(broken.code()).isEqualTo(1);
    assertThat(broken.out()).contains("1 violation(s)").contains("sequence.gap run=d-2");
  }

  @Test
  @Order(4)
  void shouldChangeNothingWithoutConfirmAndRemoveOnlyCleanedRunsWithIt() {
    // when
    final Cli.Result dry =
        cli("cleanup", "--older-than", "0s", "--limit", "1", "--url", stack.baseUrl());

    // then
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).contains("would remove").contains("nothing changed");
    final String victim =
        dry.out()
            .lines()
            .filter(l -> l.startsWith("would remove "))
            .findFirst()
            .orElseThrow()
            .substring(13);
    assertThat(get("/v1/runs/" + victim)).isNotNull();

    // when
    final Cli.Result real =
        cli("cleanup", "--older-than", "0s", "--limit", "1", "--url", stack.baseUrl(), "--confirm");

    // then
    assertThat(real.code()).as(real.err()).isZero();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> get("/v1/runs/" + victim) == null);
    assertThat(get("/v1/runs/d-1") != null || get("/v1/runs/d-2") != null).isTrue();
    final Cli.Result rebuild = cli("rebuild", "--url", stack.baseUrl());
    assertThat(rebuild.code()).as(rebuild.out()).isZero();
  }

  @Test
  @Order(5)
  void shouldListFollowAndReplayRunsWhenUsingTheCommands() throws Exception {
    // given an echo run that cleanup left in place
    final String run =
        echoRuns.stream().filter(r -> get("/v1/runs/" + r) != null).findFirst().orElseThrow();

    // when
    final Cli.Result list =
        Cli.run("runs", "list", "--url", stack.baseUrl(), "--status", "completed", "-o", "json");
    final Cli.Result follow = Cli.run("runs", "follow", run, "--url", stack.baseUrl());
    final Cli.Result replay = cli("replay", "--run", run, "--jsonl");

    // then
    assertThat(list.code()).as(list.err()).isZero();
    final List<String> listed = new ArrayList<>();
    AvroJson.mapper().readTree(list.out()).forEach(r -> listed.add(r.path("run_id").asText()));
    assertThat(listed).contains(run).doesNotHaveDuplicates();
    assertThat(follow.code()).as(follow.err()).isZero();
    assertThat(follow.out().lines().count()).isEqualTo(eventCount(run));
    assertThat(follow.out()).contains("run.created").contains("run.completed");
    assertThat(replay.code()).as(replay.err()).isZero();
    final List<String> types = new ArrayList<>();
    for (final String line : replay.out().lines().toList()) {
      final JsonNode record = AvroJson.mapper().readTree(line);
      assertThat(record.path("run_id").asText()).isEqualTo(run);
      types.add(record.path("type").asText());
    }
    assertThat(types).startsWith("run.created").endsWith("run.completed");
  }

  private int eventCount(final String run) {
    return get("/v1/runs/" + run).path("event_count").asInt();
  }

  private List<Long> stream(final String run, final String lastEventId) throws Exception {
    final HttpResponse<String> response = streamResponse(run, lastEventId);
    assertThat(response.statusCode()).isEqualTo(200);
    final List<Long> ids = new ArrayList<>();
    response
        .body()
        .lines()
        .filter(l -> l.startsWith("id: "))
        .forEach(l -> ids.add(Long.parseLong(l.substring(4))));
    return ids;
  }

  /** The whole answer of a run's SSE stream; fails when the stream is not closed within 30 s. */
  private HttpResponse<String> streamResponse(final String run, final String lastEventId)
      throws Exception {
    final HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(stack.baseUrl() + "/v1/runs/" + run + "/events/stream"))
            .timeout(Duration.ofSeconds(30));
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return HttpClient.newHttpClient()
        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .get(30, TimeUnit.SECONDS);
  }

  private static JsonNode message(final String eventId, final String text) {
    final var event = AvroJson.mapper().createObjectNode();
    event.put("event_id", eventId);
    event.put("event_type", "message.received");
    event.put("workspace_id", "w-dup");
    event.put("conversation_id", "conv-dup");
    event.putObject("input").put("text", text);
    return event;
  }

  private JsonNode get(final String path) {
    final ApiClient.Response response = api.get(path);
    return response.ok() ? response.body() : null;
  }

  private void produce(final List<LedgerRecord> records) {
    final var topic = stack.topics().runLedger();
    try (KafkaProducer<String, LedgerRecord> producer =
        new KafkaProducer<>(
            stack.config().kafkaProperties(),
            new StringSerializer(),
            topic.valueSerde().serializer())) {
      records.forEach(r -> producer.send(new ProducerRecord<>(topic.name(), r.getRunId(), r)));
      producer.flush();
    }
  }

  private static AgentRunResult result(final String type, final Object payload) {
    return new AgentRunResult(type, payload);
  }

  private static LedgerRecord rec(
      final String run, final int attempt, final long seq, final Instant at, final Object body) {
    return LedgerRecord.newBuilder()
        .setRunId(run)
        .setAttempt(attempt)
        .setSequence(seq)
        .setTimestamp(at)
        .setProducer(attempt == 0 ? "orchestrator" : "w-" + attempt)
        .setConversationKey("w-p//conv-p/")
        .setBody(body)
        .build();
  }

  private Cli.Result cli(final String... args) {
    final List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(kafkaArgs));
    return Cli.run(all.toArray(String[]::new));
  }
}
