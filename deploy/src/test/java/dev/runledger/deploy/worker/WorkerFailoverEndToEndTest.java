package dev.runledger.deploy.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.WorkerSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * G2 on a real broker: two workers in their own JVMs ({@code ledger worker}) share 50 runs of a few
 * seconds each; one is killed with {@code kill -9} mid-way. The orchestrator, projections and
 * gateway run in the test JVM without a worker of their own. The victim is killed while it runs at
 * least 6 runs; each of those ends completed on the survivor as a later attempt (the attempt number
 * is the share-group delivery count, see {@code ShareGroupClaimer}), and the victim's attempt-1
 * records stay in the history without counting as results.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerFailoverEndToEndTest {
  private static final int RUNS = 50;
  private static final String WORKSPACE = "ws-g2";
  private static final Duration ALL_DONE = Duration.ofMinutes(3);

  @RegisterExtension
  static final TestStack STACK = StackBuilder.named("g2").withoutWorker().build();

  private DevStack stack;
  private TestApi api;
  private WorkerProcess victim;
  private WorkerProcess survivor;

  @BeforeAll
  void start() {
    stack = STACK.stack();
    api = STACK.api();
    final Map<String, String> workerSettings =
        Map.of(WorkerSettings.SLOTS, "8", WorkerSettings.HEARTBEAT_MS, "1000");
    victim = WorkerProcess.start("w-victim", stack.config(), workerSettings, STACK.dir());
    survivor = WorkerProcess.start("w-survivor", stack.config(), workerSettings, STACK.dir());
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(90));
    api.bind(
        "b-g2",
        Binding.of(WORKSPACE, DevStack.ECHO_RUNNER)
            .config(AvroJson.mapper().createObjectNode().put("turn_delay_ms", 3000)));
    await().atMost(TestApi.WAIT).until(() -> stack.orchestrator().knowsBinding(WORKSPACE, "b-g2"));
  }

  @AfterAll
  void stop() throws InterruptedException {
    for (final WorkerProcess worker : new WorkerProcess[] {victim, survivor}) {
      if (worker != null) {
        worker.stop();
      }
    }
  }

  @Test
  void shouldEndEveryRunOnceAndFinishTheKilledWorkersRunsAsAttempt2WhenAWorkerIsKilled()
      throws InterruptedException {
    // given 50 runs of ~3 s each on two workers with 8 slots each
    final Map<String, String> textByRun = new LinkedHashMap<>();
    for (int i = 0; i < RUNS; i++) {
      final String text = "g2 run " + i;
      textByRun.put(api.runOf(api.send(WORKSPACE, "c-" + i, text)), text);
    }
    final Set<String> onVictim =
        await()
            .atMost(TestApi.WAIT)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> runningOn(victim.workerId(), textByRun.keySet()), s -> s.size() >= 6);

    // when the victim is killed mid-way
    victim.kill();
    final Set<String> interrupted = runningOn(victim.workerId(), textByRun.keySet());
    interrupted.addAll(onVictim);

    // then every run ends exactly once, completed
    final Map<String, JsonNode> views = new HashMap<>();
    try {
      await()
          .atMost(ALL_DONE)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                for (final String runId : textByRun.keySet()) {
                  final JsonNode run = api.run(runId);
                  if (run != null && TestApi.terminal(run)) {
                    views.put(runId, run);
                  }
                }
                return views.size() == RUNS;
              });
    } catch (final ConditionTimeoutException e) {
      throw new AssertionError(
          "runs not ended: " + describe(textByRun.keySet(), views.keySet()), e);
    }
    assertThat(views.values())
        .allSatisfy(run -> assertThat(run.path("status").asText()).isEqualTo("completed"));
    for (final Map.Entry<String, String> run : textByRun.entrySet()) {
      final List<JsonNode> events = api.events(run.getKey());
      assertThat(events)
          .as("terminal records of %s", run.getKey())
          .filteredOn(e -> isTerminal(e.path("type").asText()))
          .hasSize(1);
      assertThat(views.get(run.getKey()).path("final_message").asText()).isEqualTo(run.getValue());
    }
    // and the runs the victim held were finished by the survivor as attempt 2
    final Set<String> taken =
        interrupted.stream()
            .filter(runId -> views.get(runId).path("attempt").asInt() >= 2)
            .collect(Collectors.toSet());
    assertThat(taken).isNotEmpty();
    for (final String runId : interrupted) {
      final JsonNode run = views.get(runId);
      if (run.path("attempt").asInt() == 1) {
        // it finished on the victim just before the kill
        assertThat(run.path("worker_id").asText()).isEqualTo(victim.workerId());
        continue;
      }
      // usually 2; a dead worker's pending fetches may have counted a delivery more
      assertThat(run.path("attempt").asInt()).isBetween(2, 3);
      assertThat(run.path("worker_id").asText()).isEqualTo(survivor.workerId());
      final List<JsonNode> events = api.events(runId);
      // the superseded attempt's records stay in the history but are not current results
      assertThat(events)
          .filteredOn(e -> e.path("attempt").asInt() == 1)
          .extracting(e -> e.path("producer").asText())
          .isNotEmpty()
          .containsOnly(victim.workerId());
      assertThat(events)
          .filteredOn(e -> isTerminal(e.path("type").asText()))
          .allSatisfy(
              e -> assertThat(e.path("attempt").asInt()).isEqualTo(run.path("attempt").asInt()));
    }
    // and the survivor stops cleanly on SIGTERM (the CLI's shutdown hook closes the worker)
    survivor.stop();
    assertThat(survivor.logText()).contains("worker " + survivor.workerId() + " stopped");
  }

  private Set<String> runningOn(final String workerId, final Set<String> runIds) {
    return runIds.stream()
        .filter(
            runId -> {
              final JsonNode run = api.run(runId);
              return run != null
                  && TestApi.hasStatus(run, "running")
                  && workerId.equals(run.path("worker_id").asText());
            })
        .collect(Collectors.toCollection(java.util.HashSet::new));
  }

  /** Each unfinished run's view and its events as type@attempt/producer, for a failure message. */
  private String describe(final Set<String> runIds, final Set<String> ended) {
    final StringBuilder text = new StringBuilder();
    for (final String runId : runIds) {
      if (ended.contains(runId)) {
        continue;
      }
      text.append('\n').append(api.run(runId)).append("\n  ");
      for (final JsonNode event : api.events(runId)) {
        text.append(event.path("type").asText())
            .append('@')
            .append(event.path("attempt").asInt())
            .append('/')
            .append(event.path("producer").asText())
            .append(' ');
      }
    }
    return text.toString();
  }

  private static boolean isTerminal(final String type) {
    return "run.completed".equals(type) || "run.failed".equals(type);
  }
}
