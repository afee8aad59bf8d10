package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.HostEvent;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicProbe;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.deploy.kafka.TestBroker;
import dev.runledger.deploy.kafka.TopicAdmin;
import dev.runledger.orchestrator.topology.OrchestratorSettings;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.topics.DeadLetters;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad input never stops anything (G5: ARCHITECTURE.md §4, §10) on a real broker. */
@ExtendWith(KafkaExtension.class)
class BadInputEndToEndTest {
  /** A small record limit, so that oversized records are cheap to make. */
  private static final int RECORD_LIMIT = 65_536;

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("badinput")
          .set(LedgerConfig.MAX_RECORD_BYTES, Integer.toString(RECORD_LIMIT))
          .awaitRunner(DevStack.ECHO_RUNNER)
          .awaitRunner(ScenarioRunner.RUNNER_ID)
          .build();

  private final TestApi api = STACK.api();
  private final DevStack stack = STACK.stack();
  private final TopicProbe probe = new TopicProbe(stack.bootstrapServers());

  @Test
  void shouldDeadLetterUndecodableBytesAndCompleteTheNextEventWhenGarbageIsOnTheIngestTopic()
      throws Exception {
    // given a bound workspace; the garbage shares the conversation key, so the same partition
    final String workspace = "w-garbage";
    api.bind("garbage-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");
    final String conversationKey = workspace + "//c-garbage/";
    final byte[] garbage =
        ("not an avro record " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);

    // when
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of("bootstrap.servers", stack.bootstrapServers()),
            new ByteArraySerializer(),
            new ByteArraySerializer())) {
      producer
          .send(
              new ProducerRecord<>(
                  stack.topics().hostEvents().name(),
                  conversationKey.getBytes(StandardCharsets.UTF_8),
                  garbage))
          .get();
    }
    final String eventId = "after-garbage-" + UUID.randomUUID();
    api.post(TestApi.message(eventId, workspace, "c-garbage", "still alive"));

    // then the garbage is in the DLQ, unchanged, with error headers
    final ConsumerRecord<byte[], byte[]> dead =
        probe
            .awaitRecords(
                stack.topics().dlq().name(),
                r -> r.value() != null && java.util.Arrays.equals(r.value(), garbage),
                1)
            .get(0);
    assertThat(new String(dead.key(), StandardCharsets.UTF_8)).isEqualTo(conversationKey);
    assertThat(header(dead, DeadLetters.ERROR_CODE)).startsWith("decode.");
    assertThat(header(dead, DeadLetters.ERROR_MESSAGE)).isNotBlank();
    assertThat(header(dead, DeadLetters.SOURCE_TOPIC))
        .isEqualTo(stack.topics().hostEvents().name());

    // and the next valid event still becomes a completed run
    final JsonNode decision = api.awaitDecision(eventId);
    assertThat(decision.path("decision").asText()).isEqualTo("run_created");
    final JsonNode run = api.awaitStatus(decision.path("run_id").asText(), "completed");
    assertThat(run.path("final_message").asText()).isEqualTo("still alive");
  }

  @Test
  void shouldAnswer400Or413AndProduceNothingWhenEventBodiesAreInvalid() throws Exception {
    // given
    final String topic = stack.topics().hostEvents().name();
    final long before = probe.endOffsets(topic);

    // when
    final ApiClient.Response noType =
        api.postRaw("{\"workspace_id\":\"w\",\"input\":{\"text\":\"x\"}}");
    final ApiClient.Response noWorkspace = api.postRaw("{\"event_type\":\"message.received\"}");
    final ApiClient.Response badType =
        api.postRaw("{\"event_type\":\"MessageReceived\",\"workspace_id\":\"w\"}");
    final ApiClient.Response notJson = api.postRaw("this is not json");
    final ApiClient.Response oversize =
        api.postRaw(
            "{\"event_type\":\"message.received\",\"workspace_id\":\"w\",\"input\":{\"text\":\""
                + "x".repeat(1_100_000)
                + "\"}}");

    // then
    assertThat(noType.status()).isEqualTo(400);
    assertThat(noType.body().at("/error/field").asText()).isEqualTo("event_type");
    assertThat(noWorkspace.status()).isEqualTo(400);
    assertThat(noWorkspace.body().at("/error/field").asText()).isEqualTo("workspace_id");
    assertThat(badType.status()).isEqualTo(400);
    assertThat(badType.body().at("/error/field").asText()).isEqualTo("event_type");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.body().at("/error/code").asText()).isNotBlank();
    assertThat(oversize.status()).isEqualTo(413);
    assertThat(oversize.body().at("/error/code").asText()).isNotBlank();
    assertThat(probe.endOffsets(topic)).isEqualTo(before);

    // and a valid event after them is written (so the offsets above were really measured)
    api.post(TestApi.message("valid-" + UUID.randomUUID(), "w", "c-1", "ok"));
    assertThat(probe.endOffsets(topic)).isEqualTo(before + 1);
  }

  @Test
  void shouldAnswer400NamingTheParameterOrFieldWhenAnyRouteGetsOneItDoesNotTake() {
    // when
    final ApiClient.Response runs = api.response(ApiPaths.runs("w") + "?statuss=running");
    final ApiClient.Response transcript = api.response(ApiPaths.transcript("w", "c-1") + "?from=1");
    final ApiClient.Response digests = api.response(ApiPaths.DIGESTS + "?view=runs");
    final ApiClient.Response event =
        api.post("/v1/events?dry_run=1", TestApi.message("e-" + UUID.randomUUID(), "w", "c", "x"));
    final ApiClient.Response cancel =
        api.post(ApiPaths.runCancel("r-unknown"), TestApi.json("{\"reazon\": \"x\"}"));

    // then
    assertThat(List.of(runs, transcript, digests, event, cancel))
        .extracting(ApiClient.Response::status, r -> r.body().at("/error/code").asText())
        .containsOnly(tuple(400, "invalid_argument"));
    assertThat(List.of(runs, transcript, digests, event, cancel))
        .extracting(r -> r.body().at("/error/field").asText())
        .containsExactly("statuss", "from", "view", "dry_run", "reazon");
    assertThat(runs.body().at("/error/message").asText()).contains("'statuss'", "status");
  }

  @Test
  void shouldAnswer405ForAMethodThePathDoesNotTakeAnd404ForAnUnknownPath() {
    // when
    final ApiClient.Response getEvents = api.response("/v1/events");
    final ApiClient.Response getCancel = api.response("/v1/runs/r-1/cancel");
    final ApiClient.Response postRun = api.post("/v1/runs/r-1", TestApi.json("{}"));
    final ApiClient.Response unknown = api.response("/v1/nothing-here");
    final List<ApiClient.Response> flat =
        List.of(
            api.response("/v1/runs"),
            api.response("/v1/bindings"),
            api.response("/v1/events/e-1"),
            api.response("/v1/conversations/c-1/transcript"),
            api.response("/v1/state/conversation/c-1/k"));

    // then
    assertThat(List.of(getEvents, getCancel, postRun))
        .extracting(ApiClient.Response::status, r -> r.body().at("/error/code").asText())
        .containsOnly(tuple(405, "method_not_allowed"));
    assertThat(getEvents.body().at("/error/message").asText()).endsWith("it takes POST");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().at("/error/code").asText()).isEqualTo("not_found");
    assertThat(flat)
        .as("the flat forms of workspace-scoped paths are gone")
        .extracting(ApiClient.Response::status)
        .containsOnly(404);
  }

  @Test
  void shouldTakeEventTimeAsAnIsoInstantAndNameBothFormsWhenItIsNeither() {
    // given
    final ObjectNode iso = TestApi.message("iso-" + UUID.randomUUID(), "w-iso", "c", "x");
    iso.put("event_time", "2026-01-01T00:00:00Z");
    final ObjectNode bad = TestApi.message("bad-" + UUID.randomUUID(), "w-iso", "c", "x");
    bad.put("event_time", "1 Jan 2026");

    // when
    final ApiClient.Response accepted = api.post("/v1/events", iso);
    final ApiClient.Response refused = api.post("/v1/events", bad);

    // then
    assertThat(accepted.status()).isEqualTo(202);
    final HostEvent written =
        probe
            .awaitRecords(
                stack.topics().hostEvents().name(),
                r ->
                    r.value() != null
                        && new String(r.value(), StandardCharsets.ISO_8859_1)
                            .contains(iso.path("event_id").asText()),
                1)
            .stream()
            .map(
                r ->
                    stack
                        .topics()
                        .hostEvents()
                        .valueSerde()
                        .deserializer()
                        .deserialize("", r.value()))
            .findFirst()
            .orElseThrow();
    assertThat(written.getEventTime()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.body().at("/error/field").asText()).isEqualTo("event_time");
    assertThat(refused.body().at("/error/message").asText())
        .contains("epoch milliseconds or an ISO-8601 instant");
  }

  @Test
  void shouldKeepTheCursorAtTheEndWhenATranscriptIsTailedPastItsLastItem() {
    // given a conversation whose first message was answered
    final String workspace = "w-tail";
    api.bind("tail-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");
    final String path = ApiPaths.transcript(workspace, "c-tail");
    api.awaitRun(api.runOf(api.send(workspace, "c-tail", "one")), TestApi::terminal);
    final JsonNode first =
        await()
            .atMost(TestApi.WAIT)
            .until(() -> api.get(path), page -> page.path("items").size() == 2);
    final String end = first.path("next_cursor").asText();

    // when tailed after its last item
    final JsonNode tail = api.get(path + "?after=" + end);

    // then nothing new, and the cursor stays where it was
    assertThat(tail.path("items")).isEmpty();
    assertThat(tail.path("next_cursor").asText()).isEqualTo(end);

    // and polling with it gets the next message when it arrives
    api.send(workspace, "c-tail", "two");
    final JsonNode next =
        await()
            .atMost(TestApi.WAIT)
            .until(
                () -> api.get(path + "?after=" + tail.path("next_cursor").asText()),
                page -> !page.path("items").isEmpty());
    assertThat(next.path("items").get(0).path("content").asText()).isEqualTo("two");
  }

  @Test
  void shouldAnswerHealthAnd503WhileTheServicesStart(final TestBroker kafka) throws Exception {
    // given the orchestrator's group held by a member that never rejoins, so its start waits
    final Path dir = Files.createTempDirectory("runledger-early-http");
    final LedgerConfig config =
        StackBuilder.named("early-http").withoutWorker().fixedHttpPort().config(kafka, dir);
    final LedgerTopics topics = LedgerTopics.create(config);
    TopicAdmin.createAll(config, topics);
    final TestApi early = new TestApi("http://127.0.0.1:" + config.get(LedgerConfig.HTTP_PORT));
    final KafkaConsumer<byte[], byte[]> holder = groupHolder(config, topics);

    // when the stack starts
    final CompletableFuture<DevStack> starting =
        CompletableFuture.supplyAsync(() -> DevStack.start(config));
    try {
      final ApiClient.Response health =
          await()
              .atMost(TestApi.WAIT)
              .ignoreExceptions()
              .until(() -> early.response("/healthz"), r -> r.status() > 0);
      final ApiClient.Response runs = early.response(ApiPaths.runs("w"));
      final ApiClient.Response post =
          early.post("/v1/events", TestApi.message("e-early", "w", "c", "x"));

      // then the server answers while the orchestrator is still starting
      assertThat(starting).isNotDone();
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.body().at("/services/orchestrator").asText()).isEqualTo("starting");
      assertThat(health.body().path("unhealthy").toString())
          .contains("orchestrator", "projections", "gateway");
      assertThat(runs.status()).isEqualTo(503);
      assertThat(runs.body().at("/error/code").asText()).isEqualTo("unavailable");
      assertThat(runs.body().at("/error/message").asText()).contains("projections");
      assertThat(post.status()).isEqualTo(503);
      assertThat(post.body().at("/error/message").asText()).contains("gateway");
    } catch (final AssertionError | RuntimeException e) {
      starting.thenAccept(DevStack::close);
      throw e;
    } finally {
      holder.close();
    }

    // and once the group is free the stack starts and reports healthy
    final DevStack started = starting.get(TestApi.WAIT.toSeconds(), TimeUnit.SECONDS);
    try {
      await()
          .atMost(TestApi.WAIT)
          .until(() -> new TestApi(started).response("/healthz").status() == 200);
      assertThat(early.response(ApiPaths.runs("w")).status()).isEqualTo(200);
    } finally {
      started.close();
    }
  }

  @Test
  void shouldAnswerHealthWhileItsOwnBrokerStarts(@TempDir final Path dir) throws Exception {
    // given a stack that starts an embedded broker of its own
    final EmbeddedKafka kafka = EmbeddedKafka.inDir(dir.resolve("kafka"), 0);
    final LedgerConfig config =
        LedgerConfig.of(
            Map.of(
                LedgerConfig.HTTP_PORT,
                Integer.toString(StackBuilder.freePort()),
                LedgerConfig.TOPIC_PARTITIONS,
                "1",
                LedgerConfig.TOPIC_REPLICATION,
                "1",
                LedgerConfig.STATE_DIR,
                dir.resolve("state").toString(),
                HttpServer.HOST,
                "127.0.0.1"));
    final TestApi early = new TestApi("http://127.0.0.1:" + config.get(LedgerConfig.HTTP_PORT));

    // when it starts
    final CompletableFuture<DevStack> starting =
        CompletableFuture.supplyAsync(() -> DevStack.start(config, kafka));
    try {
      final ApiClient.Response health =
          await()
              .atMost(TestApi.WAIT)
              .pollInterval(Duration.ofMillis(50))
              .ignoreExceptions()
              .until(() -> early.response("/healthz"), r -> r.status() > 0);

      // then /healthz answered before the broker was up, naming it
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.body().at("/services/kafka").asText()).isEqualTo("starting");
    } finally {
      starting.get(TestApi.WAIT.toSeconds(), TimeUnit.SECONDS).close();
    }
  }

  /**
   * A classic-protocol member of the orchestrator's group that joins once and never polls again.
   */
  private static KafkaConsumer<byte[], byte[]> groupHolder(
      final LedgerConfig config, final LedgerTopics topics) {
    final Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(LedgerConfig.BOOTSTRAP_SERVERS));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, OrchestratorSettings.applicationId(config));
    props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, List.of(Holding.class));
    props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
    final KafkaConsumer<byte[], byte[]> holder =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    final AtomicBoolean joined = new AtomicBoolean();
    holder.subscribe(
        List.of(topics.hostEvents().name()),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(final Collection<TopicPartition> partitions) {}

          @Override
          public void onPartitionsAssigned(final Collection<TopicPartition> partitions) {
            joined.set(true);
          }
        });
    await()
        .atMost(TestApi.WAIT)
        .pollInSameThread()
        .until(
            () -> {
              holder.poll(Duration.ofMillis(100));
              return joined.get();
            });
    return holder;
  }

  /** Offers the protocol Kafka Streams uses ({@code stream}) and assigns nothing. */
  public static final class Holding implements ConsumerPartitionAssignor {
    @Override
    public GroupAssignment assign(final Cluster metadata, final GroupSubscription subscriptions) {
      final Map<String, Assignment> none = new HashMap<>();
      subscriptions
          .groupSubscription()
          .keySet()
          .forEach(member -> none.put(member, new Assignment(List.of())));
      return new GroupAssignment(none);
    }

    @Override
    public String name() {
      return "stream";
    }
  }

  @Test
  void shouldFailRunnerOutputLimitOnceAndAcceptTheCommandWhenAResultIsOverTheRecordLimit()
      throws Exception {
    // given a runner whose final message is larger than the record limit
    final String workspace = "w-big-output";
    final ObjectNode script =
        json(
            "{\"steps\":[{\"complete\":{\"text\":\"0123456789\",\"repeat\":"
                + RECORD_LIMIT / 5
                + "}}]}");
    api.bind("big-output", Binding.of(workspace, ScenarioRunner.RUNNER_ID).config(script));
    api.awaitBinding(workspace, "warm-up");

    // when
    final String runId = api.runOf(api.send(workspace, "c-big", "go"));

    // then the run fails runner.output_limit, naming the size and the limit
    final JsonNode run = api.awaitRun(runId, TestApi::terminal);
    assertThat(run.path("status").asText()).isEqualTo("failed");
    assertThat(run.path("error").path("code").asText()).isEqualTo("runner.output_limit");
    assertThat(run.path("error").path("message").asText())
        .contains("run.completed result is ")
        .contains("over the limit of " + RECORD_LIMIT + " bytes");
    assertThat(run.path("attempt").asInt()).isEqualTo(1);
    // and its command was accepted, not released: the share group has nothing left to deliver
    final String commands = stack.topics().runCommands("default").name();
    final ConsumerRecord<byte[], byte[]> command =
        probe
            .awaitRecords(
                commands, r -> runId.equals(new String(r.key(), StandardCharsets.UTF_8)), 1)
            .get(0);
    probe.awaitShareGroupPast(
        stack.worker().settings().groupId(), commands, command.partition(), command.offset());
    // so the runner ran exactly once: one claim, one terminal, nothing of a second attempt
    final List<JsonNode> events = api.events(runId);
    assertThat(events).filteredOn(e -> e.path("attempt").asInt() > 1).isEmpty();
    assertThat(events).filteredOn(e -> "run.claimed".equals(e.path("type").asText())).hasSize(1);
    assertThat(events)
        .filteredOn(e -> List.of("run.completed", "run.failed").contains(e.path("type").asText()))
        .hasSize(1);
  }

  @Test
  void shouldRejectPayloadTooLargeWhenTheStartRunWouldBeOverTheRecordLimit() {
    // given a binding whose runner config and an event that each fit the limit, not together
    final String workspace = "w-big-start";
    final ObjectNode config = json("{\"steps\":[{\"complete\":{\"text\":\"ok\"}}]}");
    config.put("pad", "p".repeat(RECORD_LIMIT * 2 / 3));
    api.bind("big-start", Binding.of(workspace, ScenarioRunner.RUNNER_ID).config(config));
    api.awaitBinding(workspace, "warm-up");

    // when
    final String eventId = api.send(workspace, "c-big", "t".repeat(RECORD_LIMIT * 2 / 3));

    // then the event is rejected, and the next one in the workspace still runs
    final JsonNode decision = api.awaitDecision(eventId);
    assertThat(decision.path("decision").asText()).isEqualTo("rejected");
    assertThat(decision.path("reason").asText()).isEqualTo("payload.too_large");
    assertThat(decision.path("run_id").isMissingNode() || decision.path("run_id").isNull())
        .isTrue();
    final String next = api.runOf(api.send(workspace, "c-big", "small"));
    assertThat(api.awaitRun(next, TestApi::terminal).path("status").asText())
        .isEqualTo("completed");
  }

  private static ObjectNode json(final String text) {
    return (ObjectNode) TestApi.json(text);
  }

  private static String header(final ConsumerRecord<byte[], byte[]> record, final String name) {
    final Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}
