package dev.runledger.deploy.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.deploy.Cli;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.http.HttpServer;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dispatch policies, unpulled steering (G7), cancel before claim and deadlines on a real broker
 * with the whole stack in one process. An extra runner {@value #IDLE_RUNNER} lives in pool {@code
 * idle}, which no worker serves, so its runs are never claimed.
 */
@ExtendWith(KafkaExtension.class)
class DispatchPoliciesEndToEndTest {
  static final String IDLE_RUNNER = "test:idle/default";

  @TempDir static Path stateDir;
  private static DevStack stack;
  private static DispatchE2e api;

  @BeforeAll
  static void startStack(final EmbeddedKafka kafka) {
    final Map<String, String> settings = new HashMap<>();
    settings.put(LedgerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(
        LedgerConfig.TOPIC_PREFIX,
        "t-dispatch-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    settings.put(LedgerConfig.TOPIC_PARTITIONS, "3");
    settings.put(LedgerConfig.STATE_DIR, stateDir.toString());
    settings.put(LedgerConfig.HTTP_PORT, "0");
    settings.put(HttpServer.HOST, "127.0.0.1");
    settings.put(LedgerConfig.POOLS, "default,idle");
    stack = DevStack.start(LedgerConfig.of(settings));
    api = new DispatchE2e(stack);
    publishIdleRunner(stack.config());
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(60));
    stack.awaitRunner(IDLE_RUNNER, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private static void publishIdleRunner(final LedgerConfig config) {
    final LedgerTopics topics = LedgerTopics.create(config);
    final Properties props = new Properties();
    props.putAll(config.kafkaProperties());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    final RunnerManifest manifest =
        RunnerManifest.newBuilder()
            .setRunnerId(IDLE_RUNNER)
            .setName("idle")
            .setLabel("Idle")
            .setPool("idle")
            .setVersion("1.0.0")
            .build();
    try (KafkaProducer<String, RunnerManifest> producer =
        new KafkaProducer<>(
            props, new StringSerializer(), topics.runners().valueSerde().serializer())) {
      producer.send(new ProducerRecord<>(topics.runners().name(), IDLE_RUNNER, manifest));
      producer.flush();
    }
  }

  private static String workspace(final String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  @Test
  void shouldStartTheQueuedRunOnlyAfterTheFirstEndedWhenEnqueue() {
    // given
    final String ws = workspace("enq");
    api.bind("b-enq", ws, DevStack.ECHO_RUNNER, "enqueue", null, DispatchE2e.echo(3, 400), null);
    api.awaitBound(ws);

    // when
    api.send(ws + "-1", ws, "c");
    final String first = api.awaitDecision(ws + "-1").path("run_id").asText();
    api.send(ws + "-2", ws, "c");

    // then
    final JsonNode second = api.awaitDecision(ws + "-2");
    assertThat(second.path("decision").asText()).isEqualTo("enqueued");
    final String secondRun = second.path("run_id").asText();
    final JsonNode firstRun = api.awaitStatus(first, "completed");
    final JsonNode secondView = api.awaitStatus(secondRun, "completed");
    assertThat(instant(secondView.path("created_at")))
        .isAfterOrEqualTo(instant(firstRun.path("finished_at")));
  }

  @Test
  void shouldCancelTheActiveRunAndThenRunTheNewOneWhenInterrupt() {
    // given
    final String ws = workspace("int");
    api.bind("b-int", ws, DevStack.ECHO_RUNNER, "interrupt", null, DispatchE2e.echo(20, 500), null);
    api.awaitBound(ws);
    api.send(ws + "-1", ws, "c");
    final String first = api.awaitDecision(ws + "-1").path("run_id").asText();
    api.awaitStatus(first, "running");

    // when
    api.send(ws + "-2", ws, "c");

    // then
    assertThat(api.awaitStatus(first, "cancelled")).isNotNull();
    assertThat(api.types(first)).contains("cancel.requested");
    final String second = api.awaitDecision(ws + "-2").path("run_id").asText();
    assertThat(api.awaitStatus(second, "running")).isNotNull();
  }

  @Test
  void shouldRejectAsBusyWhenReject() {
    // given
    final String ws = workspace("rej");
    api.bind("b-rej", ws, DevStack.ECHO_RUNNER, "reject", null, DispatchE2e.echo(5, 400), null);
    api.awaitBound(ws);
    api.send(ws + "-1", ws, "c");
    api.awaitDecision(ws + "-1");

    // when
    api.send(ws + "-2", ws, "c");

    // then
    final JsonNode second = api.awaitDecision(ws + "-2");
    assertThat(second.path("decision").asText()).isEqualTo("rejected");
    assertThat(second.path("reason").asText()).isEqualTo("conversation.busy");
  }

  @Test
  void shouldInjectASteeredMessageIntoTheActiveRunWhenSteer() {
    // given: the echo runner has the steering capability, so steer is its default
    final String ws = workspace("steer");
    api.bind("b-steer", ws, DevStack.ECHO_RUNNER, null, null, DispatchE2e.echo(4, 700), null);
    api.awaitBound(ws);
    api.send(ws + "-1", ws, "c");
    final String run = api.awaitDecision(ws + "-1").path("run_id").asText();
    api.awaitStatus(run, "running");

    // when
    api.send(ws + "-2", ws, "c");

    // then
    final JsonNode steered = api.awaitDecision(ws + "-2");
    assertThat(steered.path("decision").asText()).isEqualTo("steered");
    assertThat(steered.path("run_id").asText()).isEqualTo(run);
    api.awaitStatus(run, "completed");
    assertThat(api.types(run)).contains("steering.queued", "steering.injected");
    assertThat(api.types(run)).doesNotContain("steering.dropped");
  }

  @Test
  void shouldDropAnUnpulledSteeredMessageAndRunItAsAFollowUp() {
    // given: one turn, so the run never pulls steering
    final String ws = workspace("g7");
    api.bind("b-g7", ws, DevStack.ECHO_RUNNER, "steer", null, DispatchE2e.echo(1, 1500), null);
    api.awaitBound(ws);
    api.send(ws + "-1", ws, "c");
    final String run = api.awaitDecision(ws + "-1").path("run_id").asText();

    // when
    api.send(ws + "-2", ws, "c");

    // then
    final JsonNode followUp = api.awaitDecision(ws + "-2", "followup");
    final String followUpRun = followUp.path("run_id").asText();
    assertThat(followUpRun).isNotEqualTo(run);
    api.awaitStatus(followUpRun, "completed");
    assertThat(api.types(run)).contains("steering.queued", "steering.dropped");
  }

  @Test
  void shouldOnlyDropAnUnpulledSteeredMessageWhenOnUnpulledDrop() {
    // given
    final String ws = workspace("drop");
    api.bind("b-drop", ws, DevStack.ECHO_RUNNER, "steer", "drop", DispatchE2e.echo(1, 1500), null);
    api.awaitBound(ws);
    api.send(ws + "-1", ws, "c");
    final String run = api.awaitDecision(ws + "-1").path("run_id").asText();

    // when
    api.send(ws + "-2", ws, "c");

    // then
    assertThat(api.awaitDecision(ws + "-2").path("decision").asText()).isEqualTo("steered");
    api.awaitStatus(run, "completed");
    org.awaitility.Awaitility.await()
        .atMost(DispatchE2e.WAIT)
        .until(() -> api.types(run).contains("steering.dropped"));
    assertThat(api.decision(ws + "-2").path("decision").asText()).isEqualTo("steered");
  }

  @Test
  void shouldEndAnUnclaimedRunCancelledWithoutAClaim() {
    // given
    final String ws = workspace("cancel");
    api.bind("b-cancel", ws, IDLE_RUNNER, "parallel", null, null, null);
    api.awaitBound(ws);
    api.send(ws + "-1", ws, "c");
    final String run = api.awaitDecision(ws + "-1").path("run_id").asText();
    api.awaitStatus(run, "queued");

    // when
    final var answer =
        api.client()
            .post(
                "/v1/events/" + ws + "-1/cancel",
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());

    // then
    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.body().path("run_id").asText()).isEqualTo(run);
    api.awaitStatus(run, "cancelled");
    assertThat(api.types(run)).contains("cancel.requested").doesNotContain("run.claimed");
  }

  @Test
  void shouldAnswerNotFoundForAnUnknownRunOrEvent() {
    final var empty = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    assertThat(api.client().post("/v1/runs/run_nope/cancel", empty).status()).isEqualTo(404);
    assertThat(api.client().post("/v1/events/nope/cancel", empty).status()).isEqualTo(404);
  }

  @Test
  void shouldTimeOutARunNoWorkerClaimsWhenItsDeadlinePasses() {
    // given
    final String ws = workspace("deadline");
    api.bind("b-deadline", ws, IDLE_RUNNER, "parallel", null, null, 1500L);
    api.awaitBound(ws);

    // when
    api.send(ws + "-1", ws, "c");

    // then
    final String run = api.awaitDecision(ws + "-1").path("run_id").asText();
    api.awaitStatus(run, "timeout");
    assertThat(api.types(run)).contains("run.timed_out").doesNotContain("run.claimed");
  }

  @Test
  void shouldCancelAnUnclaimedRunFromTheCli() {
    // given
    final String ws = workspace("cli");
    api.bind("b-cli", ws, IDLE_RUNNER, "parallel", null, null, null);
    api.awaitBound(ws);
    api.send(ws + "-1", ws, "c");
    final String run = api.awaitDecision(ws + "-1").path("run_id").asText();

    // when
    final Cli.Result cancelled =
        Cli.run(
            "runs",
            "cancel",
            run,
            "--reason",
            "changed my mind",
            "--url",
            stack.baseUrl(),
            "-o",
            "json");
    final Cli.Result unknown =
        Cli.run("runs", "cancel", "--event", "no-such-event", "--url", stack.baseUrl());

    // then
    assertThat(cancelled.code()).as(cancelled.err()).isZero();
    assertThat(cancelled.out()).contains(run).contains("changed my mind");
    assertThat(unknown.code()).isNotZero();
    api.awaitStatus(run, "cancelled");
  }

  private static Instant instant(final JsonNode node) {
    return node.isNumber() ? Instant.ofEpochMilli(node.asLong()) : Instant.parse(node.asText());
  }
}
