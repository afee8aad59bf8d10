package dev.runledger.deploy.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringItem;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicWriter;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.worker.WorkerSettings;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cancel, stalls and cancel-before-claim on a real broker, with the worker in the stack. The worker
 * has ONE slot, so a run that completes after a misbehaving one proves the slot was given back.
 */
class WorkerControlEndToEndTest {
  private static final String QUICK = "b-quick";

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("worker-control")
          .set(WorkerSettings.SLOTS, "1")
          .set(WorkerSettings.INACTIVITY_TIMEOUT_MS, "2000")
          .set(WorkerSettings.CANCEL_GRACE_MS, "1000")
          .awaitRunner(ScenarioRunner.RUNNER_ID)
          .build();

  private final DevStack stack = STACK.stack();
  private final TestApi api = STACK.api();

  @BeforeAll
  static void bindQuick() {
    bind(QUICK, "ws-quick", "{\"steps\":[{\"complete\":{\"text\":\"done\"}}]}");
  }

  @Test
  void shouldEndCancelledAndFreeTheSlotWhenTheRunnerIgnoresCancel() {
    // given a runner that ignores cancel and keeps working for 30 s more
    final StringBuilder steps = new StringBuilder("{\"steps\":[{\"ignore_cancel\":true}");
    for (int i = 0; i < 30; i++) {
      steps.append(
          ",{\"emit\":{\"type\":\"message.delta\",\"data\":{\"chunk\":{\"role\":\"assistant\","
              + "\"content\":\"working \"}}}},{\"sleep_ms\":1000}");
    }
    steps.append(",{\"complete\":{\"text\":\"too late\"}}]}");
    bind("b-ignore", "ws-ignore", steps.toString());
    final String runId = api.runOf(api.send("ws-ignore", "c-ignore", "go"));
    api.awaitRun(runId, run -> run.path("result_count").asInt() >= 1);

    // when
    cancel(runId);

    // then it ends cancelled, with nothing from the runner after the cancel
    final JsonNode run = api.awaitRun(runId, TestApi::terminal);
    assertThat(run.path("status").asText()).isEqualTo("cancelled");
    assertThat(run.path("error").path("code").asText()).isEqualTo("cancelled");
    assertThat(run.path("final_message").asText("")).doesNotContain("too late");
    // and the only slot is free again while the runner still sleeps
    final String next = api.runOf(api.send("ws-quick", "c-after-ignore", "next"));
    assertThat(api.awaitRun(next, TestApi::terminal).path("status").asText())
        .isEqualTo("completed");
    assertThat(api.events(runId))
        .filteredOn(e -> List.of("run.completed", "run.failed").contains(e.path("type").asText()))
        .hasSize(1);
  }

  @Test
  void shouldFailRunnerStalledWhenTheRunnerStopsProducing() {
    // given
    bind(
        "b-stall",
        "ws-stall",
        "{\"steps\":[{\"emit\":{\"type\":\"message.delta\",\"data\":{\"chunk\":"
            + "{\"role\":\"assistant\",\"content\":\"a\"}}}},{\"hang\":true,\"max_ms\":60000}]}");

    // when
    final String runId = api.runOf(api.send("ws-stall", "c-stall", "go"));

    // then
    final JsonNode run = api.awaitRun(runId, TestApi::terminal);
    assertThat(run.path("status").asText()).isEqualTo("failed");
    assertThat(run.path("error").path("code").asText()).isEqualTo("runner-stalled");
    // the first phase is the claim's own (LedgerRecord v2), later ones are run.liveness records
    assertThat(api.events(runId))
        .filteredOn(e -> List.of("run.claimed", "run.liveness").contains(e.path("type").asText()))
        .extracting(e -> e.path("type").asText() + ":" + e.path("data").path("phase").asText())
        .containsExactly("run.claimed:waiting_runner", "run.liveness:runner_stalled");
  }

  @Test
  void shouldNotRunAStartRunWhenTheRunWasCancelledBeforeItWasClaimed() {
    // given a cancel on run-control for the run an event is about to create
    bind("b-early", "ws-early", "{\"steps\":[{\"complete\":{\"text\":\"should not run\"}}]}");
    final String eventId = "ev-early-" + UUID.randomUUID();
    final String runId = RunIds.runId("ws-early", eventId, "b-early");
    cancel(runId);
    await().atMost(TestApi.WAIT).until(() -> stack.worker().control().cancelAsked(runId));

    // when the event creates the run, then another run follows it on the only slot
    api.send(eventId, "ws-early", "c-early", "go");
    api.awaitDecision(eventId);
    final String next = api.runOf(api.send("ws-quick", "c-after-early", "next"));
    assertThat(api.awaitRun(next, TestApi::terminal).path("status").asText())
        .isEqualTo("completed");

    // then the worker never ran the cancelled run: it waited for the orchestrator to record the
    // cancel, then ended the run cancelled after that record
    assertThat(api.awaitRun(runId, TestApi::terminal).path("status").asText())
        .isEqualTo("cancelled");
    assertThat(api.types(runId))
        .containsSubsequence("cancel.requested", "run.failed")
        .doesNotContain("message.completed", "run.completed");
  }

  @Test
  void shouldInjectASteeredMessageAndListItInTheTerminalWhenTheRunnerPullsIt() {
    // given a run that stays alive until a steering item has been pulled
    final StringBuilder steps = new StringBuilder("{\"steps\":[");
    for (int i = 0; i < 20; i++) {
      steps.append("{\"sleep_ms\":250},{\"liveness\":\"waiting_runner\"},");
    }
    steps.append("{\"pull_steering\":\"all\"}]}");
    bind("b-steer", "ws-steer", steps.toString());
    final String runId = api.runOf(api.send("ws-steer", "c-steer", "go"));
    api.awaitRun(runId, run -> TestApi.hasStatus(run, "running"));

    // when
    steer(runId, "ev-steered-1", "also this");

    // then
    final JsonNode run = api.awaitRun(runId, TestApi::terminal);
    assertThat(run.path("status").asText()).isEqualTo("completed");
    final List<JsonNode> events = api.events(runId);
    assertThat(events)
        .filteredOn(e -> "steering.injected".equals(e.path("type").asText()))
        .extracting(e -> e.path("data").path("source_event_id").asText())
        .containsExactly("ev-steered-1");
    assertThat(events)
        .filteredOn(e -> "run.completed".equals(e.path("type").asText()))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.path("data").path("pulled_steering").toString())
                    .isEqualTo("[\"ev-steered-1\"]"));
    assertThat(events)
        .filteredOn(e -> "action.requested".equals(e.path("type").asText()))
        .singleElement()
        .satisfies(e -> assertThat(e.path("data").toString()).contains("also this"));
  }

  private static void bind(final String bindingId, final String workspace, final String script) {
    STACK
        .api()
        .bind(
            bindingId,
            Binding.of(workspace, ScenarioRunner.RUNNER_ID).config(TestApi.json(script)));
    await()
        .atMost(TestApi.WAIT)
        .until(() -> STACK.stack().orchestrator().knowsBinding(workspace, bindingId));
  }

  /** Writes {@code CancelRun} for a run to run-control, as the gateway's cancel endpoint does. */
  private static void cancel(final String runId) {
    control(
        RunCommand.newBuilder()
            .setRunId(runId)
            .setKind(CancelRun.newBuilder().setReason("requested").setRequestedBy("api").build())
            .build());
  }

  /** Writes {@code SteerRun} with a message for a run to run-control, as the orchestrator does. */
  private static void steer(final String runId, final String sourceEventId, final String text) {
    final SteeringItem item =
        SteeringItem.newBuilder()
            .setSourceEventId(sourceEventId)
            .setClaimedRunId(runId)
            .setRunnerId("builtin:scenario/default")
            .setClaimedAt(Instant.now())
            .setInput(EventInput.newBuilder().setText(text).build())
            .build();
    control(
        RunCommand.newBuilder()
            .setRunId(runId)
            .setKind(SteerRun.newBuilder().setItem(item).build())
            .build());
  }

  private static void control(final RunCommand command) {
    TopicWriter.write(STACK.config(), STACK.topics().runControl(), command.getRunId(), command);
  }
}
