package dev.runledger.deploy.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicProbe;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.projections.fold.RunFold;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.json.AvroJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dispatch policies, unpulled steering (G7), cancel before claim, interrupt and cancel races (one
 * story in the ledger, checked by {@code ledger verify}) and deadlines on a real broker with the
 * whole stack in one process. An extra runner {@value #IDLE_RUNNER} lives in pool {@code idle},
 * which no worker serves, so its runs are never claimed.
 */
class DispatchPoliciesEndToEndTest {
  static final String IDLE_RUNNER = "test:idle/default";

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("dispatch")
          .set(LedgerConfig.POOLS, "default,idle")
          .awaitRunner(DevStack.ECHO_RUNNER)
          .build();

  private final DevStack stack = STACK.stack();
  private final TestApi api = STACK.api();

  @BeforeAll
  static void publishIdleRunner() {
    final RunnerManifest manifest =
        RunnerManifest.newBuilder()
            .setRunnerId(IDLE_RUNNER)
            .setName("idle")
            .setLabel("Idle")
            .setPool("idle")
            .setVersion("1.0.0")
            .build();
    TopicWriter.write(STACK.config(), STACK.topics().runners(), IDLE_RUNNER, manifest);
    STACK.stack().awaitRunner(IDLE_RUNNER, TestApi.WAIT);
  }

  /** Posts a message in conversation {@code c} of {@code workspace}. */
  private void send(final String eventId, final String workspace) {
    api.send(eventId, workspace, "c", "text of " + eventId);
  }

  private static ObjectNode echo(final int turns, final int turnDelayMs) {
    return AvroJson.mapper()
        .createObjectNode()
        .put("turns", turns)
        .put("turn_delay_ms", turnDelayMs);
  }

  /**
   * Binds {@code binding} as {@code b-<name>} in a fresh workspace {@code <name>-<random>} and
   * waits until the orchestrator has read it; the workspace.
   */
  private String bound(final String name, final Function<String, Binding> binding) {
    final String ws = name + "-" + UUID.randomUUID().toString().substring(0, 6);
    api.bind("b-" + name, binding.apply(ws));
    api.awaitBinding(ws, "probe");
    return ws;
  }

  /** Sends event {@code <ws>-<n>}; the run its decision names. */
  private String sendAndAwaitRun(final String ws, final int n) {
    send(ws + "-" + n, ws);
    return api.runOf(ws + "-" + n);
  }

  @Test
  void shouldStartTheQueuedRunOnlyAfterTheFirstEndedWhenEnqueue() {
    // given
    final String ws =
        bound("enq", w -> Binding.of(w, DevStack.ECHO_RUNNER).mode("enqueue").config(echo(3, 400)));

    // when
    final String first = sendAndAwaitRun(ws, 1);
    send(ws + "-2", ws);

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
    final String ws =
        bound(
            "int",
            w -> Binding.of(w, DevStack.ECHO_RUNNER).mode("interrupt").config(echo(20, 500)));
    final String first = sendAndAwaitRun(ws, 1);
    api.awaitStatus(first, "running");

    // when
    send(ws + "-2", ws);

    // then
    assertThat(api.awaitStatus(first, "cancelled")).isNotNull();
    assertThat(api.types(first)).contains("cancel.requested");
    final String second = api.awaitDecision(ws + "-2").path("run_id").asText();
    assertThat(api.awaitStatus(second, "running")).isNotNull();
  }

  @Test
  void shouldRejectAsBusyWhenReject() {
    // given
    final String ws =
        bound("rej", w -> Binding.of(w, DevStack.ECHO_RUNNER).mode("reject").config(echo(5, 400)));
    send(ws + "-1", ws);
    api.awaitDecision(ws + "-1");

    // when
    send(ws + "-2", ws);

    // then
    final JsonNode second = api.awaitDecision(ws + "-2");
    assertThat(second.path("decision").asText()).isEqualTo("rejected");
    assertThat(second.path("reason").asText()).isEqualTo("conversation.busy");
  }

  @Test
  void shouldInjectASteeredMessageIntoTheActiveRunWhenSteer() {
    // given: the echo runner has the steering capability, so steer is its default
    final String ws =
        bound(
            "steer",
            w -> Binding.of(w, DevStack.ECHO_RUNNER).runnerDefaultMode().config(echo(4, 700)));
    final String run = sendAndAwaitRun(ws, 1);
    api.awaitStatus(run, "running");

    // when
    send(ws + "-2", ws);

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
    final String ws =
        bound("g7", w -> Binding.of(w, DevStack.ECHO_RUNNER).mode("steer").config(echo(1, 1500)));
    final String run = sendAndAwaitRun(ws, 1);

    // when
    send(ws + "-2", ws);

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
    final String ws =
        bound(
            "drop",
            w ->
                Binding.of(w, DevStack.ECHO_RUNNER)
                    .mode("steer")
                    .onUnpulled("drop")
                    .config(echo(1, 1500)));
    final String run = sendAndAwaitRun(ws, 1);

    // when
    send(ws + "-2", ws);

    // then
    assertThat(api.awaitDecision(ws + "-2").path("decision").asText()).isEqualTo("steered");
    api.awaitStatus(run, "completed");
    Awaitility.await()
        .atMost(TestApi.WAIT)
        .until(() -> api.types(run).contains("steering.dropped"));
    assertThat(api.decision(ws + "-2").path("decision").asText()).isEqualTo("steered");
  }

  @Test
  void shouldRecordTheCancelOfARunNoWorkerClaimsAndNotEndItBehindAWorkersBack() {
    // given: a dispatched run in a pool no worker serves
    final String ws = bound("cancel", w -> Binding.of(w, IDLE_RUNNER).timeoutMs(4000L));
    final String run = sendAndAwaitRun(ws, 1);
    api.awaitStatus(run, "queued");

    // when
    final var answer =
        api.post(ApiPaths.eventCancel(ws, ws + "-1"), JsonNodeFactory.instance.objectNode());

    // then: a worker may claim it any time, so the request is recorded and the run ends only when a
    // worker claims it (cancelled, without running) or, as here, at its deadline
    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.body().path("run_id").asText()).isEqualTo(run);
    api.awaitStatus(run, "timeout");
    assertThat(api.types(run))
        .contains("cancel.requested", "run.timed_out")
        .doesNotContain("run.claimed", "run.failed");
  }

  @Test
  void shouldAnswerNotFoundForAnUnknownRunOrEvent() {
    final var empty = JsonNodeFactory.instance.objectNode();
    assertThat(api.post(ApiPaths.runCancel("run_nope"), empty).status()).isEqualTo(404);
    assertThat(api.post(ApiPaths.eventCancel("ws-nope", "nope"), empty).status()).isEqualTo(404);
  }

  @Test
  void shouldTimeOutARunNoWorkerClaimsWhenItsDeadlinePasses() {
    // given
    final String ws = bound("deadline", w -> Binding.of(w, IDLE_RUNNER).timeoutMs(1500L));

    // when
    send(ws + "-1", ws);

    // then
    final String run = api.awaitDecision(ws + "-1").path("run_id").asText();
    api.awaitStatus(run, "timeout");
    assertThat(api.types(run)).contains("run.timed_out").doesNotContain("run.claimed");
  }

  @Test
  void shouldCancelAnUnclaimedRunFromTheCli() {
    // given
    final String ws = bound("cli", w -> Binding.of(w, IDLE_RUNNER));
    final String run = sendAndAwaitRun(ws, 1);

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
        Cli.run(
            "runs",
            "cancel",
            "--event",
            "no-such-event",
            "-w",
            "ws-nope",
            "--url",
            stack.baseUrl());

    // then
    assertThat(cancelled.code()).as(cancelled.err()).isZero();
    assertThat(cancelled.out()).contains(run).contains("changed my mind");
    assertThat(unknown.code()).isNotZero();
    Awaitility.await()
        .atMost(TestApi.WAIT)
        .until(() -> api.types(run).contains("cancel.requested"));
  }

  @Test
  void shouldTellOneStoryInTheLedgerWhenMessagesInterruptEachOtherQuickly() throws Exception {
    // given
    final String ws =
        bound(
            "race",
            w -> Binding.of(w, DevStack.ECHO_RUNNER).mode("interrupt").config(echo(3, 2000)));

    // when: three messages 0.3 s apart, so each interrupts the run before it
    for (int n = 1; n <= 3; n++) {
      send(ws + "-" + n, ws);
      Thread.sleep(300);
    }

    // then
    final List<String> runs = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      runs.add(api.runOf(ws + "-" + n));
    }
    assertOneStory(runs);
    assertThat(api.awaitRun(runs.get(2), TestApi::terminal).path("status").asText())
        .isEqualTo("completed");
  }

  @Test
  void shouldRecordAnApiCancelBeforeTheTerminalItCauses() {
    // given: one run cancelled as it is created, one while it runs
    final String ws =
        bound(
            "apicancel",
            w -> Binding.of(w, DevStack.ECHO_RUNNER).mode("parallel").config(echo(3, 2000)));
    final String early = sendAndAwaitRun(ws, 1);
    final String running = sendAndAwaitRun(ws, 2);
    final ObjectNode body = JsonNodeFactory.instance.objectNode();

    // when
    assertThat(api.post(ApiPaths.eventCancel(ws, ws + "-1"), body).status()).isEqualTo(202);
    api.awaitStatus(running, "running");
    assertThat(api.post(ApiPaths.runCancel(running), body).status()).isEqualTo(202);

    // then
    assertOneStory(List.of(early, running));
    assertThat(api.awaitStatus(early, "cancelled")).isNotNull();
    assertThat(api.awaitStatus(running, "cancelled")).isNotNull();
  }

  /**
   * Each of {@code runs} ends with exactly one terminal record, a claimed run with its worker's,
   * and {@code ledger verify} finds nothing wrong in the whole ledger (its cancel rules included).
   */
  private void assertOneStory(final List<String> runs) {
    runs.forEach(run -> api.awaitRun(run, TestApi::terminal));
    final Map<String, List<LedgerRecord>> ledger = ledgerOf(runs);
    ledger.forEach(
        (run, records) -> {
          final List<LedgerRecord> terminals =
              records.stream().filter(RunFold::isTerminal).toList();
          assertThat(terminals).as("terminals of %s: %s", run, records).hasSize(1);
          final boolean claimed = records.stream().anyMatch(r -> r.getBody() instanceof RunClaimed);
          assertThat(terminals.get(0).getAttempt() > 0)
              .as("a claimed run ends with its worker's terminal: %s", records)
              .isEqualTo(claimed);
        });
    final List<String> args = new ArrayList<>(List.of("verify"));
    args.addAll(STACK.kafkaArgs());
    final Cli.Result verify = Cli.run(args.toArray(String[]::new));
    assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
    assertThat(verify.out()).contains("0 violation(s)");
  }

  /** The ledger records of {@code runs} in ledger order, once each has a terminal record. */
  private Map<String, List<LedgerRecord>> ledgerOf(final List<String> runs) {
    final List<LedgerRecord> all =
        new TopicProbe(stack.bootstrapServers())
            .readValues(
                STACK.topics().runLedger(),
                read ->
                    runs.stream()
                        .allMatch(
                            run ->
                                read.stream()
                                    .anyMatch(
                                        r ->
                                            r != null
                                                && run.equals(r.getRunId())
                                                && RunFold.isTerminal(r))));
    final Map<String, List<LedgerRecord>> byRun = new LinkedHashMap<>();
    runs.forEach(run -> byRun.put(run, new ArrayList<>()));
    for (final LedgerRecord record : all) {
      if (record != null && byRun.containsKey(record.getRunId())) {
        byRun.get(record.getRunId()).add(record);
      }
    }
    return byRun;
  }

  private static Instant instant(final JsonNode node) {
    return node.isNumber() ? Instant.ofEpochMilli(node.asLong()) : Instant.parse(node.asText());
  }
}
