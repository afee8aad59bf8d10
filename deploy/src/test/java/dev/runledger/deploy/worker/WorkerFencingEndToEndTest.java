package dev.runledger.deploy.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.kafka.EmbeddedKafka;
import dev.runledger.deploy.kafka.KafkaExtension;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.WorkerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * G3 fencing on a real broker: a worker JVM is frozen ({@code kill -STOP}) while it runs, loses its
 * leases, another worker finishes the runs as attempt 2, then the frozen worker wakes up and writes
 * the rest of its attempt-1 records late. Those records are fenced: the runs stay completed by
 * attempt 2, once.
 */
@ExtendWith(KafkaExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerFencingEndToEndTest {
  private static final int RUNS = 3;
  private static final String WORKSPACE = "ws-fence";

  private DevStack stack;
  private WorkerApi api;
  private Map<String, String> workerSettings;
  private Path dir;
  private WorkerProcess sleeper;
  private WorkerProcess taker;

  @BeforeAll
  void start(
      final EmbeddedKafka kafka, @TempDir(cleanup = CleanupMode.ON_SUCCESS) final Path tempDir)
      throws Exception {
    dir = tempDir;
    final Map<String, String> settings =
        WorkerStacks.settings(kafka, "fence", dir.resolve("stack"));
    settings.put(DevStack.WORKER_ENABLED, "false");
    stack = DevStack.start(LedgerConfig.of(settings));
    api = new WorkerApi(stack);
    workerSettings = new HashMap<>();
    workerSettings.put(LedgerConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
    workerSettings.put(LedgerConfig.TOPIC_PREFIX, settings.get(LedgerConfig.TOPIC_PREFIX));
    workerSettings.put(LedgerConfig.TOPIC_PARTITIONS, settings.get(LedgerConfig.TOPIC_PARTITIONS));
    workerSettings.put(WorkerSettings.SLOTS, "4");
    shortLocks(settings.get(LedgerConfig.TOPIC_PREFIX) + "workers.default");
    sleeper = WorkerProcess.start("w-sleeper", workerSettings, dir);
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(90));
    api.bind(
        "b-fence",
        WORKSPACE,
        DevStack.ECHO_RUNNER,
        AvroJson.mapper().createObjectNode().put("turn_delay_ms", 6000));
    await().atMost(WorkerApi.WAIT).until(() -> stack.orchestrator().knowsBinding("b-fence"));
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
    if (stack != null) {
      stack.close();
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
              WorkerApi.status(run, "running")
                  && "w-sleeper".equals(run.path("worker_id").asText()));
    }

    // when the sleeper freezes, the taker finishes the runs, then the sleeper wakes up
    sleeper.pause();
    taker = WorkerProcess.start("w-taker", workerSettings, dir);
    for (final String runId : textByRun.keySet()) {
      api.awaitRun(runId, WorkerApi::terminal);
    }
    sleeper.resume();

    // then the sleeper's late attempt-1 records are fenced and the runs stay as attempt 2 left them
    await()
        .atMost(WorkerApi.WAIT)
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
