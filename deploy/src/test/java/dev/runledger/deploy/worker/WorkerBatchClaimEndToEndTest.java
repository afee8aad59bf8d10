package dev.runledger.deploy.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicProbe;
import dev.runledger.schemas.json.AvroJson;
import dev.runledger.worker.WorkerSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The batch claim path on a real broker: one worker ({@code ledger worker} in its own JVM) with a
 * single claim consumer that takes up to 12 commands per share fetch. Slow runs whose commands were
 * all committed before the worker started run all at once while the worker has fewer share-group
 * members than runs; then many quick runs, acknowledged in batches with the next fetch, each end
 * once, as attempt 1, and the share group has nothing left to deliver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerBatchClaimEndToEndTest {
  private static final int SLOW = 12;
  private static final int QUICK = 120;
  private static final String SLOW_WORKSPACE = "ws-batch-slow";
  private static final String QUICK_WORKSPACE = "ws-batch-quick";
  private static final String WORKER = "w-batch";

  @RegisterExtension
  static final TestStack STACK = StackBuilder.named("batch").withoutWorker().build();

  private DevStack stack;
  private TestApi api;
  private TopicProbe probe;
  private WorkerProcess worker;
  private final List<String> slowRuns = new ArrayList<>();

  @BeforeAll
  void start() {
    stack = STACK.stack();
    api = STACK.api();
    probe = new TopicProbe(stack.bootstrapServers());
    // a first worker publishes the echo runner's manifest, then stops: the runs below are
    // decided while no worker claims
    final WorkerProcess announcer =
        WorkerProcess.start("w-announce", stack.config(), Map.of(), STACK.dir());
    stack.awaitRunner(DevStack.ECHO_RUNNER, Duration.ofSeconds(90));
    stopQuietly(announcer);
    api.bind(
        "b-slow",
        Binding.of(SLOW_WORKSPACE, DevStack.ECHO_RUNNER)
            .config(AvroJson.mapper().createObjectNode().put("turn_delay_ms", 8000)));
    api.bind("b-quick", Binding.of(QUICK_WORKSPACE, DevStack.ECHO_RUNNER));
    await()
        .atMost(TestApi.WAIT)
        .until(
            () ->
                stack.orchestrator().knowsBinding(SLOW_WORKSPACE, "b-slow")
                    && stack.orchestrator().knowsBinding(QUICK_WORKSPACE, "b-quick"));
    for (int i = 0; i < SLOW; i++) {
      slowRuns.add(api.runOf(api.send(SLOW_WORKSPACE, "c-slow-" + i, "slow " + i)));
    }
    // every slow run's StartRun is committed before the worker starts, so one fetch can take them
    final Set<String> wanted = Set.copyOf(slowRuns);
    probe.awaitRecords(commandTopic(), r -> wanted.contains(key(r)), SLOW);
    worker =
        WorkerProcess.start(
            WORKER,
            stack.config(),
            Map.of(
                WorkerSettings.SLOTS, "24",
                WorkerSettings.CLAIM_CONSUMERS, "1",
                WorkerSettings.CLAIM_BATCH, "12"),
            STACK.dir());
  }

  @AfterAll
  void stop() throws InterruptedException {
    if (worker != null) {
      worker.stop();
    }
  }

  @Test
  @Order(1)
  void shouldRunManyCommandsAtOnceWhenTheWorkerHasFewerClaimConsumersThanRuns() throws Exception {
    // when the worker has claimed the slow runs
    await()
        .atMost(TestApi.WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> runningHere().size() == SLOW);

    // then they all run at once while the worker is fewer members of the share group than runs
    assertThat(members()).isNotEmpty().hasSizeLessThan(SLOW);
    // and each ends completed once, as attempt 1
    for (final String runId : slowRuns) {
      final JsonNode run = api.awaitRun(runId, TestApi::terminal);
      assertThat(run.path("status").asText()).isEqualTo("completed");
      assertThat(run.path("attempt").asInt()).isEqualTo(1);
      assertThat(run.path("worker_id").asText()).isEqualTo(WORKER);
    }
  }

  @Test
  @Order(2)
  void shouldEndEveryRunOnceAsAttempt1AndLeaveNothingToDeliverWhenBatchesAreAcknowledged() {
    // given many quick runs in parallel conversations
    final List<String> runs = new ArrayList<>();
    for (int i = 0; i < QUICK; i++) {
      runs.add(api.runOf(api.send(QUICK_WORKSPACE, "c-quick-" + (i % 30), "quick " + i)));
    }

    // when they have ended
    for (final String runId : runs) {
      api.awaitRun(runId, TestApi::terminal);
    }

    // then each ended completed once, as its first attempt, claimed once
    for (final String runId : runs) {
      final JsonNode run = api.run(runId);
      assertThat(run.path("status").asText()).as("status of %s", runId).isEqualTo("completed");
      assertThat(run.path("attempt").asInt()).as("attempt of %s", runId).isEqualTo(1);
      final List<JsonNode> events = api.events(runId);
      assertThat(events)
          .filteredOn(e -> e.path("attempt").asInt() > 1)
          .as("later attempts of %s", runId)
          .isEmpty();
      assertThat(events)
          .filteredOn(e -> "run.claimed".equals(e.path("type").asText()))
          .as("claims of %s", runId)
          .hasSize(1);
      assertThat(events)
          .filteredOn(e -> List.of("run.completed", "run.failed").contains(e.path("type").asText()))
          .as("terminals of %s", runId)
          .hasSize(1);
    }
    // and every command was accepted: the share group has nothing left to deliver
    final Set<String> all = Set.copyOf(runs);
    final List<ConsumerRecord<byte[], byte[]>> commands =
        probe.awaitRecords(commandTopic(), r -> all.contains(key(r)), QUICK);
    final ConsumerRecord<byte[], byte[]> last = commands.get(commands.size() - 1);
    probe.awaitShareGroupPast(groupId(), commandTopic(), last.partition(), last.offset());
  }

  private Set<String> runningHere() {
    return slowRuns.stream()
        .filter(
            runId -> {
              final JsonNode run = api.run(runId);
              return run != null
                  && TestApi.hasStatus(run, "running")
                  && WORKER.equals(run.path("worker_id").asText());
            })
        .collect(Collectors.toSet());
  }

  /** The worker's members in the pool's share group. */
  private List<ShareMemberDescription> members() throws Exception {
    try (Admin admin = Admin.create(stack.config().kafkaProperties())) {
      return admin
          .describeShareGroups(List.of(groupId()))
          .describedGroups()
          .get(groupId())
          .get(30, TimeUnit.SECONDS)
          .members()
          .stream()
          .filter(member -> member.clientId().startsWith(WORKER + "-"))
          .toList();
    }
  }

  private String groupId() {
    return STACK.prefix() + "workers.default";
  }

  private String commandTopic() {
    return stack.topics().runCommands("default").name();
  }

  private static String key(final ConsumerRecord<byte[], byte[]> record) {
    return new String(record.key(), StandardCharsets.UTF_8);
  }

  private static void stopQuietly(final WorkerProcess process) {
    process.stop();
  }
}
