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
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * G3 fencing on a real broker: a worker JVM is frozen ({@code kill -STOP}) while it runs, loses its
 * leases, another worker finishes the runs as attempt 2, then the frozen worker wakes up and writes
 * the rest of its attempt-1 records late. Those records are fenced: the runs stay completed by
 * attempt 2, once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerFencingEndToEndTest {
  private static final int RUNS = 3;
  private static final String WORKSPACE = "ws-fence";
  private static final Map<String, String> WORKER_SETTINGS = Map.of(WorkerSettings.SLOTS, "4");

  @RegisterExtension
  static final TestStack STACK = StackBuilder.named("fence").withoutWorker().build();

  private DevStack stack;
  private TestApi api;
  private WorkerProcess sleeper;
  private WorkerProcess taker;

  @BeforeAll
  void start() throws Exception {
    stack = STACK.stack();
    api = STACK.api();
    shortLocks(STACK.prefix() + "workers.default");
    sleeper = WorkerProcess.start("w-sleeper", stack.config(), WORKER_SETTINGS, STACK.dir());
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(90));
    api.bind(
        "b-fence",
        Binding.of(WORKSPACE, DevStack.ECHO_RUNNER)
            .config(AvroJson.mapper().createObjectNode().put("turn_delay_ms", 6000)));
    await()
        .atMost(TestApi.WAIT)
        .until(() -> stack.orchestrator().knowsBinding(WORKSPACE, "b-fence"));
  }

  @AfterAll
  void stop() throws InterruptedException, IOException {
    if (sleeper != null) {
      sleeper.resume();
      sleeper.stop();
    }
    if (taker != null) {
      taker.stop();
    }
  }

  @Test
  void shouldFenceTheLateRecordsOfAFrozenWorkerWhenAnotherFinishedItsRuns() throws Exception {
    // given runs of ~6 s running on the sleeper
    final Map<String, String> textByRun = new LinkedHashMap<>();
    for (int i = 0; i < RUNS; i++) {
      final String text = "fenced run " + i;
      textByRun.put(api.runOf(api.send(WORKSPACE, "c-" + i, text)), text);
    }
    for (final String runId : textByRun.keySet()) {
      api.awaitRun(
          runId,
          run ->
              TestApi.hasStatus(run, "running")
                  && "w-sleeper".equals(run.path("worker_id").asText()));
    }

    // when the sleeper freezes, the taker finishes the runs, then the sleeper wakes up
    sleeper.pause();
    taker = WorkerProcess.start("w-taker", stack.config(), WORKER_SETTINGS, STACK.dir());
    for (final String runId : textByRun.keySet()) {
      api.awaitRun(runId, TestApi::terminal);
    }
    sleeper.resume();

    // then the sleeper's late attempt-1 records are fenced and the runs stay as attempt 2 left them
    await()
        .atMost(TestApi.WAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                textByRun.keySet().stream()
                    .allMatch(runId -> api.run(runId).path("fenced_count").asInt() > 0));
    for (final Map.Entry<String, String> entry : textByRun.entrySet()) {
      final JsonNode run = api.run(entry.getKey());
      assertThat(run.path("status").asText()).isEqualTo("completed");
      assertThat(run.path("attempt").asInt()).isGreaterThanOrEqualTo(2);
      assertThat(run.path("worker_id").asText()).isEqualTo("w-taker");
      assertThat(run.path("final_message").asText()).isEqualTo(entry.getValue());
      final List<JsonNode> terminals =
          api.events(entry.getKey()).stream()
              .filter(e -> "run.completed".equals(e.path("type").asText()))
              .toList();
      assertThat(terminals)
          .extracting(e -> e.path("producer").asText())
          .as("terminal records counted for %s", entry.getKey())
          .containsExactly("w-taker");
    }
  }

  /** Share-group locks of 15 s (the broker's minimum) so a frozen worker loses its runs soon. */
  private void shortLocks(final String groupId)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(stack.config().kafkaProperties())) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.GROUP, groupId),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("share.record.lock.duration.ms", "15000"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }
}
