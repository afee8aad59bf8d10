package dev.runledger.deploy.projections;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.ChatMessage;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.StateUpdated;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Projections on the real broker: a workload of real echo runs plus ledger records written directly
 * (a fenced attempt, a cancelled run, a timed-out run, state updates), then the read API, the SSE
 * stream, {@code ledger rebuild}, {@code ledger verify} and {@code ledger cleanup}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProjectionsEndToEndTest {
  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("proj").awaitRunner(DevStack.ECHO_RUNNER).build();

  private DevStack stack;
  private TestApi api;
  private final List<String> echoRuns = new ArrayList<>();

  @BeforeAll
  void start() {
    stack = STACK.stack();
    api = STACK.api();
    api.bind("b-p", Binding.of("w-p", DevStack.ECHO_RUNNER));
    // real runs through the whole pipeline; the first ones may meet no binding yet
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              final ObjectNode event =
                  TestApi.message(
                      "ev-" + UUID.randomUUID(), "w-p", "conv-p", "hello " + echoRuns.size());
              api.post(event);
              final JsonNode decision = api.awaitDecision(event.path("event_id").asText());
              if ("run_created".equals(decision.path("decision").asText())) {
                echoRuns.add(decision.path("run_id").asText());
                api.post(event);
              }
              return echoRuns.size() >= 2;
            });
    for (final String run : echoRuns) {
      api.awaitStatus(run, "completed");
    }
    // direct records: a fenced attempt and a cancel, a timed-out run, state updates
    final Instant t = Instant.now();
    // d-1 is a run of w-p (its state lands in w-p), with the decision that created it
    TopicWriter.write(
        stack.config(),
        stack.topics().dispatchDecisions(),
        WorkspaceKeys.key("w-p", "event-d-1"),
        DispatchDecision.newBuilder()
            .setEventId("event-d-1")
            .setWorkspaceId("w-p")
            .setDecision(Decision.RUN_CREATED)
            .setRunId("d-1")
            .setBindingId("b")
            .setDecidedAt(t)
            .build());
    produce(
        List.of(
            rec("d-1", 0, 1, t, TopicWriter.runCreated("d-1", "w-p", "conv-p", t)),
            rec("d-1", 1, 1, t, new RunClaimed("w-a", 1, null)),
            rec(
                "d-1",
                1,
                2,
                t,
                TopicWriter.result(
                    "state.updated", new StateUpdated("conversation", "conv-p", "mood", "\"ok\""))),
            rec("d-1", 2, 1, t, new RunClaimed("w-b", 2, null)),
            rec(
                "d-1",
                1,
                3,
                t,
                TopicWriter.result(
                    "message.completed",
                    new MessageCompleted(new ChatMessage("assistant", "fenced")))),
            rec(
                "d-1",
                2,
                2,
                t,
                TopicWriter.result(
                    "state.updated",
                    new StateUpdated("conversation", "conv-p", "mood", "\"great\""))),
            rec(
                "d-1",
                2,
                3,
                t,
                TopicWriter.result(
                    "run.failed", new RunFailed("cancelled", "stop", false, List.of()))),
            rec("d-2", 0, 1, t, new RunTimedOut(t))));
    api.awaitStatus("d-2", "timeout");
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> get(ApiPaths.state("w-p", "conversation", "conv-p", "mood")),
            s -> s != null && s.path("version").asLong() == 2);
  }

  @Test
  @Order(1)
  void shouldServeRunsTranscriptAndStateWhenWorkloadIsDone() {
    // then
    final JsonNode cancelled = get(ApiPaths.run("d-1"));
    assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.path("fenced_count").asInt()).isEqualTo(1);
    // the listing is the workspace's: the echo runs and d-1 (d-2 was written without its
    // run.created, so it belongs to no workspace's listing)
    final JsonNode list = api.get(ApiPaths.runs("w-p") + "?limit=1000");
    final List<String> ids = new ArrayList<>();
    list.path("items").forEach(r -> ids.add(r.path("run_id").asText()));
    assertThat(ids)
        .doesNotHaveDuplicates()
        .containsAll(echoRuns)
        .contains("d-1")
        .doesNotContain("d-2");
    final JsonNode transcript = api.get(ApiPaths.transcript("w-p", "conv-p") + "?limit=1000");
    final List<String> texts = new ArrayList<>();
    transcript.path("items").forEach(i -> texts.add(i.path("content").asText()));
    assertThat(texts).doesNotContain("fenced").contains("hello 0");
    final JsonNode mood = get(ApiPaths.state("w-p", "conversation", "conv-p", "mood"));
    assertThat(mood.path("value").asText()).isEqualTo("great");
  }

  @Test
  @Order(2)
  void shouldStreamEveryEventOnceInOrderAndResumeWhenReconnecting() throws Exception {
    // given
    final String run = echoRuns.get(0);
    final int total = eventCount(run);

    // when
    final List<Long> all = api.stream(run, null, Integer.MAX_VALUE);
    final List<Long> resumed = api.stream(run, "2", Integer.MAX_VALUE);

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
    final List<Long> atTerminal = api.stream(run, Long.toString(total), Integer.MAX_VALUE);
    final List<Long> after = api.stream(run, Long.toString(total + 10), Integer.MAX_VALUE);
    final HttpResponse<String> bogus = api.streamResponse(run, "not-an-id");
    final HttpResponse<String> negative = api.streamResponse(run, "-1");

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
    api.post(TestApi.message(id, "w-dup", "conv-dup", "first"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get(ApiPaths.decision("w-dup", id)), d -> d != null);

    // when it is sent again with another text, then a new event follows it
    api.post(TestApi.message(id, "w-dup", "conv-dup", "never processed"));
    api.post(TestApi.message("ev-next-" + UUID.randomUUID(), "w-dup", "conv-dup", "after"));

    // then, once the next one is in, the re-sent one is not
    final List<String> texts = new ArrayList<>();
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              texts.clear();
              final JsonNode page = get(ApiPaths.transcript("w-dup", "conv-dup"));
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
        cli("cleanup", "-w", "w-p", "--older-than", "0s", "--limit", "1", "--url", stack.baseUrl());

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
    assertThat(get(ApiPaths.run(victim))).isNotNull();

    // when
    final Cli.Result real =
        cli(
            "cleanup",
            "-w",
            "w-p",
            "--older-than",
            "0s",
            "--limit",
            "1",
            "--url",
            stack.baseUrl(),
            "--confirm");

    // then
    assertThat(real.code()).as(real.err()).isZero();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> get(ApiPaths.run(victim)) == null);
    assertThat(get(ApiPaths.run("d-1")) != null || get(ApiPaths.run("d-2")) != null).isTrue();
    final Cli.Result rebuild = cli("rebuild", "--url", stack.baseUrl());
    assertThat(rebuild.code()).as(rebuild.out()).isZero();
  }

  @Test
  @Order(5)
  void shouldListFollowAndReplayRunsWhenUsingTheCommands() throws Exception {
    // given an echo run that cleanup left in place
    final String run =
        echoRuns.stream().filter(r -> get(ApiPaths.run(r)) != null).findFirst().orElseThrow();

    // when
    final Cli.Result list =
        Cli.run(
            "runs",
            "list",
            "-w",
            "w-p",
            "--url",
            stack.baseUrl(),
            "--status",
            "completed",
            "-o",
            "json");
    final Cli.Result follow = Cli.run("runs", "follow", run, "--url", stack.baseUrl());
    final Cli.Result replay = cli("replay", "--run", run, "--jsonl");

    // then
    assertThat(list.code()).as(list.err()).isZero();
    final List<String> listed = new ArrayList<>();
    AvroJson.mapper()
        .readTree(list.out())
        .path("items")
        .forEach(r -> listed.add(r.path("run_id").asText()));
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
    return get(ApiPaths.run(run)).path("event_count").asInt();
  }

  private JsonNode get(final String path) {
    return api.find(path);
  }

  private void produce(final List<LedgerRecord> records) {
    TopicWriter.write(stack.config(), stack.topics().runLedger(), LedgerRecord::getRunId, records);
  }

  private static LedgerRecord rec(
      final String run, final int attempt, final long seq, final Instant at, final Object body) {
    return TopicWriter.ledgerRecord(run, attempt, seq, at, body)
        .setProducer(attempt == 0 ? "orchestrator" : "w-" + attempt)
        .setConversationKey("w-p//conv-p/")
        .build();
  }

  private Cli.Result cli(final String... args) {
    final List<String> all = new ArrayList<>(List.of(args));
    all.addAll(STACK.kafkaArgs());
    return Cli.run(all.toArray(String[]::new));
  }
}
