package dev.runledger.deploy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunCreated;
import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.cli.ApiClient;
import dev.runledger.deploy.harness.Binding;
import dev.runledger.deploy.harness.Cli;
import dev.runledger.deploy.harness.StackBuilder;
import dev.runledger.deploy.harness.TestApi;
import dev.runledger.deploy.harness.TestStack;
import dev.runledger.deploy.harness.TopicProbe;
import dev.runledger.orchestrator.topology.OrchestratorSettings;
import dev.runledger.projections.ProjectionSettings;
import dev.runledger.projections.fold.RecordTypes;
import dev.runledger.schemas.http.ApiPaths;
import dev.runledger.schemas.topics.WorkspaceKeys;
import dev.runledger.worker.spi.Results;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The walking skeleton end to end on a real broker (issue 2, "What must hold"). */
class PipelineEndToEndTest {
  private static final Duration GENEROUS = Duration.ofSeconds(180);
  private static final long ORCHESTRATOR_CACHE = 24L * 1024 * 1024;
  private static final long PROJECTIONS_CACHE = 48L * 1024 * 1024;

  @RegisterExtension
  static final TestStack STACK =
      StackBuilder.named("pipeline")
          .set(OrchestratorSettings.MEMORY.cache().key(), Long.toString(ORCHESTRATOR_CACHE))
          .set(ProjectionSettings.MEMORY.cache().key(), Long.toString(PROJECTIONS_CACHE))
          .awaitRunner(DevStack.ECHO_RUNNER)
          .build();

  private final TestApi api = STACK.api();
  private final DevStack stack = STACK.stack();
  private final TopicProbe probe = new TopicProbe(stack.bootstrapServers());

  @Test
  void shouldCompleteEveryRunInOrderWhen200EventsArriveIn20Conversations() {
    // given
    final String workspace = "w-load";
    api.bind("load-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");
    final Map<String, String> textByEvent = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      textByEvent.put(
          "load-" + i + "-" + UUID.randomUUID(), "message " + i + " of conversation c-" + (i % 20));
    }

    // when
    int i = 0;
    for (final Map.Entry<String, String> event : textByEvent.entrySet()) {
      api.post(TestApi.message(event.getKey(), workspace, "c-" + (i++ % 20), event.getValue()));
    }

    // then every event gets a run, and every run completes
    final Map<String, String> runByEvent = new HashMap<>();
    await()
        .atMost(GENEROUS)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> collectRuns(textByEvent.keySet(), runByEvent) == textByEvent.size());
    assertThat(new java.util.HashSet<>(runByEvent.values())).hasSize(200);
    final Map<String, JsonNode> completed = new HashMap<>();
    await()
        .atMost(GENEROUS)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> collectCompleted(runByEvent.values(), completed) == runByEvent.size());

    // and each run's events are in order, gapless, and echo the input
    for (final Map.Entry<String, String> event : textByEvent.entrySet()) {
      final String runId = runByEvent.get(event.getKey());
      final JsonNode run = completed.get(runId);
      assertThat(run.path("status").asText()).isEqualTo("completed");
      assertThat(run.path("final_message").asText()).isEqualTo(event.getValue());
      assertThat(run.path("event_id").asText()).isEqualTo(event.getKey());

      final List<JsonNode> events = api.events(runId);
      assertThat(events.stream().map(e -> e.path("seq").asLong()))
          .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size()).boxed().toList());
      final List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
      assertThat(types.get(0)).isEqualTo("run.created");
      assertThat(types).contains("run.claimed", "message.completed");
      assertThat(types.get(types.size() - 1)).isEqualTo("run.completed");
      assertThat(types.stream().filter("run.completed"::equals)).hasSize(1);
    }
  }

  @Test
  void shouldCreateOneRunAndRecordDuplicateWhenTheSameEventIdIsSentTwice() {
    // given
    final String workspace = "w-dup";
    api.bind("dup-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");
    final String eventId = "dup-" + UUID.randomUUID();

    // when
    api.post(TestApi.message(eventId, workspace, "c-dup", "only once"));
    api.post(TestApi.message(eventId, workspace, "c-dup", "only once"));

    // then the decisions topic holds run_created, then duplicate
    final Deserializer<DispatchDecision> decisions =
        stack.topics().dispatchDecisions().valueSerde().deserializer();
    final List<DispatchDecision> decided =
        probe
            .awaitRecords(
                stack.topics().dispatchDecisions().name(),
                keyIs(WorkspaceKeys.key(workspace, eventId)),
                2)
            .stream()
            .map(r -> decisions.deserialize(r.topic(), r.value()))
            .toList();
    assertThat(decided)
        .extracting(DispatchDecision::getDecision)
        .containsExactly(Decision.RUN_CREATED, Decision.DUPLICATE);
    final String runId = decided.get(0).getRunId();

    // and the one run completes, with a single RunCreated in the ledger
    api.awaitStatus(runId, "completed");
    final List<LedgerRecord> records = ledgerUntilCompleted(runId);
    assertThat(records.stream().filter(r -> r.getBody() instanceof RunCreated)).hasSize(1);
  }

  @Test
  void shouldWriteTheFirstPhaseInTheClaimAndShowEveryLedgerRecordOfAOneTurnEchoRun() {
    // given
    final String workspace = "w-records";
    api.bind("records-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");

    // when a one-turn echo run completes
    final String runId = api.runOf(api.send(workspace, "c-records", "four records"));
    api.awaitStatus(runId, "completed");

    // then its ledger holds RunCreated, the claim carrying the first liveness phase, the message
    // and the terminal, and no liveness record; deltas its message repeats are left out when they
    // come within worker.delta.coalesce.ms (how many did is timing, so not asserted here)
    final List<LedgerRecord> records = ledgerUntilCompleted(runId);
    final List<String> types = records.stream().map(RecordTypes::typeOf).toList();
    assertThat(types)
        .filteredOn(type -> !Results.MESSAGE_DELTA.equals(type))
        .containsExactly("run.created", "run.claimed", "message.completed", "run.completed");
    assertThat(((RunClaimed) records.get(1).getBody()).getPhase())
        .isEqualTo(LivenessPhase.WAITING_RUNNER);
    // and the views and SSE show every one of them, in ledger order
    final JsonNode run = api.run(runId);
    assertThat(run.path("event_count").asInt()).isEqualTo(records.size());
    assertThat(run.path("claimed_at").asText()).isNotEmpty();
    assertThat(run.path("liveness").isNull() || run.path("liveness").isMissingNode()).isTrue();
    assertThat(api.types(runId)).isEqualTo(types);
    assertThat(api.stream(runId, null, Integer.MAX_VALUE)).hasSize(records.size());
  }

  /** The run's ledger records, in ledger order, read until its run.completed. */
  private List<LedgerRecord> ledgerUntilCompleted(final String runId) {
    final Deserializer<LedgerRecord> ledger =
        stack.topics().runLedger().valueSerde().deserializer();
    return probe
        .awaitRecords(
            stack.topics().runLedger().name(),
            keyIs(runId),
            found ->
                found.stream().anyMatch(r -> isCompleted(ledger.deserialize(r.topic(), r.value()))))
        .stream()
        .map(r -> ledger.deserialize(r.topic(), r.value()))
        .toList();
  }

  @Test
  void shouldAnswer409RunFinishedByRunAndByEventWhenTheRunHasEnded() {
    // given a run that completed
    final String workspace = "w-finished";
    api.bind("finished-echo", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(0));
    api.awaitBinding(workspace, "warm-up");
    final String eventId = api.send(workspace, "c-finished", "hello");
    final String runId = api.runOf(eventId);
    api.awaitStatus(runId, "completed");

    // when it is cancelled by its run id, by its event id, and from the CLI
    final ApiClient.Response byRun = api.post(ApiPaths.runCancel(runId), TestApi.json("{}"));
    final ApiClient.Response byEvent =
        api.post(ApiPaths.eventCancel(workspace, eventId), TestApi.json("{}"));
    final Cli.Result cli = Cli.run("runs", "cancel", runId, "--url", stack.baseUrl());

    // then each says the run has ended, naming its status, and nothing was written
    for (final ApiClient.Response answer : List.of(byRun, byEvent)) {
      assertThat(answer.status()).isEqualTo(409);
      assertThat(answer.body().at("/error/code").asText()).isEqualTo("run.finished");
      assertThat(answer.body().at("/error/message").asText()).contains("completed");
    }
    assertThat(cli.code()).isNotZero();
    assertThat(cli.err()).contains("run.finished");
    assertThat(api.types(runId)).doesNotContain("cancel.requested");
  }

  @Test
  void shouldRejectAsAmbiguousWhenTwoBindingsTieOnScopeAndPriority() {
    // given
    final String workspace = "w-ambiguous";
    api.bind("amb-a", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(5));
    api.bind("amb-b", Binding.of(workspace, DevStack.ECHO_RUNNER).priority(5));

    // when probes are sent until the orchestrator has read both bindings
    final JsonNode decision =
        await()
            .atMost(GENEROUS)
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> api.awaitBinding(workspace, "c-amb"),
                d -> !"run_created".equals(d.path("decision").asText()));

    // then
    assertThat(decision.path("decision").asText()).isEqualTo("rejected");
    assertThat(decision.path("reason").asText()).isEqualTo("binding.ambiguous");
    assertThat(decision.path("run_id").isNull() || decision.path("run_id").isMissingNode())
        .isTrue();
  }

  @Test
  void shouldDecideNoBindingWhenNothingIsBoundInTheWorkspace() {
    // given
    final String eventId = "unbound-" + UUID.randomUUID();

    // when
    api.post(TestApi.message(eventId, "w-nobody-" + UUID.randomUUID(), "c-1", "anyone there?"));

    // then
    final JsonNode decision = api.awaitDecision(eventId);
    assertThat(decision.path("decision").asText()).isEqualTo("no_binding");
    assertThat(decision.path("run_id").isNull() || decision.path("run_id").isMissingNode())
        .isTrue();
  }

  @Test
  void shouldReportEveryServiceHealthyAndExposeMetricsWhenTheStackRuns() {
    // when
    final ApiClient.Response health = api.response("/healthz");
    final ApiClient.Response metrics = api.response("/metrics");

    // then
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body().path("services").properties())
        .extracting(java.util.Map.Entry::getKey)
        .contains("worker", "orchestrator", "projections", "gateway", "http");
    assertThat(health.body().path("unhealthy")).isEmpty();
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body().asText())
        .contains("runledger_service_up{service=\"orchestrator\"} 1.0")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void shouldOpenEveryStoreOfEachStreamsAppInThatAppsOneBoundedBlockCache() {
    // given both Streams apps running, every store of their tasks and global tables open

    // when their RocksDB stores' block cache capacities are read (Kafka Streams' RocksDB metrics)
    final Map<String, Long> orchestrator = blockCaches(stack.orchestrator().streams());
    final Map<String, Long> projections = blockCaches(stack.projections().streams());

    // then each store reports its app's one configured cache, not RocksDB's own per store
    assertThat(orchestrator)
        .isNotEmpty()
        .allSatisfy((store, bytes) -> assertThat(bytes).as(store).isEqualTo(ORCHESTRATOR_CACHE));
    assertThat(projections)
        .isNotEmpty()
        .allSatisfy((store, bytes) -> assertThat(bytes).as(store).isEqualTo(PROJECTIONS_CACHE));
  }

  private static Map<String, Long> blockCaches(final KafkaStreams streams) {
    final Map<String, Long> capacities = new HashMap<>();
    streams
        .metrics()
        .forEach(
            (name, metric) -> {
              if (name.name().equals("block-cache-capacity")) {
                capacities.put(name.tags().toString(), ((Number) metric.metricValue()).longValue());
              }
            });
    return capacities;
  }

  private int collectRuns(final Iterable<String> eventIds, final Map<String, String> runByEvent) {
    for (final String eventId : eventIds) {
      if (!runByEvent.containsKey(eventId)) {
        final JsonNode decision = api.decision(eventId);
        if (decision != null) {
          assertThat(decision.path("decision").asText())
              .as("decision of %s", eventId)
              .isEqualTo("run_created");
          runByEvent.put(eventId, decision.path("run_id").asText());
        }
      }
    }
    return runByEvent.size();
  }

  private int collectCompleted(
      final Iterable<String> runIds, final Map<String, JsonNode> completed) {
    final List<String> pending = new ArrayList<>();
    runIds.forEach(
        id -> {
          if (!completed.containsKey(id)) {
            pending.add(id);
          }
        });
    for (final String runId : pending) {
      final JsonNode run = api.run(runId);
      if (run != null && "completed".equals(run.path("status").asText())) {
        completed.put(runId, run);
      }
    }
    return completed.size();
  }

  private static java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> keyIs(
      final String key) {
    return r -> r.key() != null && key.equals(new String(r.key(), StandardCharsets.UTF_8));
  }

  private static boolean isCompleted(final LedgerRecord record) {
    return record.getBody() instanceof AgentRunResult result
        && result.getPayload() instanceof RunCompleted;
  }
}
