package dev.runledger.deploy.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.WorkerSettings;
import dev.runledger.worker.builtin.ScenarioRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancel, stalls and cancel-before-claim on a real broker, with the worker in the stack. The worker
 * has ONE slot, so a run that completes after a misbehaving one proves the slot was given back.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerControlEndToEndTest {
  private static final String QUICK = "b-quick";

  private DevStack stack;
  private WorkerApi api;

  @BeforeAll
  void startStack(final EmbeddedKafka kafka, @TempDir final Path state) {
    final Map<String, String> settings = WorkerStacks.settings(kafka, "worker-control", state);
    settings.put(WorkerSettings.SLOTS, "1");
    settings.put(WorkerSettings.INACTIVITY_TIMEOUT_MS, "2000");
    settings.put(WorkerSettings.CANCEL_GRACE_MS, "1000");
    stack = DevStack.start(LedgerConfig.of(settings));
    api = new WorkerApi(stack);
    stack.awaitRunner(ScenarioRunner.RUNNER_ID, Duration.ofSeconds(90));
    bind(QUICK, "ws-quick", "{\"steps\":[{\"complete\":{\"text\":\"done\"}}]}");
  }

  @AfterAll
  void stopStack() {
    if (stack != null) {
      stack.close();
    }
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
    WorkerStacks.cancel(stack.config(), stack.topics(), runId);

    // then it ends cancelled, with nothing from the runner after the cancel
    final JsonNode run = api.awaitRun(runId, WorkerApi::terminal);
    assertThat(run.path("status").asText()).isEqualTo("cancelled");
    assertThat(run.path("error").path("code").asText()).isEqualTo("cancelled");
    assertThat(run.path("final_message").asText("")).doesNotContain("too late");
    // and the only slot is free again while the runner still sleeps
    final String next = api.runOf(api.send("ws-quick", "c-after-ignore", "next"));
    assertThat(api.awaitRun(next, WorkerApi::terminal).path("status").asText())
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
    final JsonNode run = api.awaitRun(runId, WorkerApi::terminal);
    assertThat(run.path("status").asText()).isEqualTo("failed");
    assertThat(run.path("error").path("code").asText()).isEqualTo("runner-stalled");
    assertThat(api.events(runId))
        .filteredOn(e -> "run.liveness".equals(e.path("type").asText()))
        .extracting(e -> e.path("data").path("phase").asText())
        .containsExactly("waiting_runner", "runner_stalled");
  }

  @Test
  void shouldNotRunAStartRunWhenTheRunWasCancelledBeforeItWasClaimed() {
    // given a cancel on run-control for the run an event is about to create
    bind("b-early", "ws-early", "{\"steps\":[{\"complete\":{\"text\":\"should not run\"}}]}");
    final String eventId = "ev-early-" + UUID.randomUUID();
    final String runId = RunIds.runId(eventId, "b-early");
    WorkerStacks.cancel(stack.config(), stack.topics(), runId);
    await()
        .atMost(WorkerApi.WAIT)
        .until(() -> stack.worker().control().cancellation(runId).isPresent());

    // when the event creates the run, then another run follows it on the only slot
    api.sendWithId(eventId, "ws-early", "c-early", "go");
    api.awaitDecision(eventId);
    final String next = api.runOf(api.send("ws-quick", "c-after-early", "next"));
    assertThat(api.awaitRun(next, WorkerApi::terminal).path("status").asText())
        .isEqualTo("completed");

    // then the worker wrote nothing for the cancelled run
    assertThat(api.events(runId)).allSatisfy(e -> assertThat(e.path("attempt").asInt()).isZero());
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
    api.awaitRun(runId, run -> WorkerApi.status(run, "running"));

    // when
    WorkerStacks.steer(stack.config(), stack.topics(), runId, "ev-steered-1", "also this");

    // then
    final JsonNode run = api.awaitRun(runId, WorkerApi::terminal);
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

  private void bind(final String bindingId, final String workspace, final String script) {
    api.bind(bindingId, workspace, ScenarioRunner.RUNNER_ID, AvroJson.parse(script, "script"));
    await().atMost(WorkerApi.WAIT).until(() -> stack.orchestrator().knowsBinding(bindingId));
  }
}
