package dev.runledger.orchestrator.topology;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.orchestrator.dispatch.Fixtures;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.ConversationKeys;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test driver fixture of the dispatch topology: a fresh {@link TopologyTestDriver} per test
 * (state in a temporary directory, wall clock at {@link #START}, a one-hour dedupe window, the
 * {@code default} pool), with its input topics typed and raw and its output topics.
 */
abstract class DispatchDriverTest {
  static final Instant START = Instant.parse("2026-01-01T00:00:05Z");
  static final Duration WINDOW = Duration.ofHours(1);

  @TempDir Path stateDir;

  final LedgerTopics topics = LedgerTopics.create(LedgerConfig.of(Map.of()));
  TopologyTestDriver driver;
  TestInputTopic<String, HostEvent> events;
  TestInputTopic<byte[], byte[]> rawEvents;
  TestInputTopic<String, AgentBinding> bindings;
  TestInputTopic<String, byte[]> rawBindings;
  TestInputTopic<String, RunnerManifest> runners;
  TestInputTopic<String, LedgerRecord> ledgerIn;
  TestInputTopic<byte[], byte[]> rawLedger;
  TestInputTopic<String, RunCommand> controlIn;
  TestOutputTopic<String, DispatchDecision> decisions;
  TestOutputTopic<String, LedgerRecord> ledger;
  TestOutputTopic<String, RunCommand> commands;
  TestOutputTopic<String, RunCommand> control;
  TestOutputTopic<byte[], byte[]> dlq;

  @BeforeEach
  void startDriver() {
    final LedgerConfig config =
        LedgerConfig.of(Map.of(LedgerConfig.STATE_DIR, stateDir.toString()));
    final OrchestratorSettings settings =
        new OrchestratorSettings(WINDOW, Set.of("default"), Duration.ofSeconds(1));
    driver =
        new TopologyTestDriver(topology(settings), DispatchTopology.streamsConfig(config), START);
    events = input(topics.hostEvents());
    rawEvents =
        driver.createInputTopic(
            topics.hostEvents().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
    bindings = input(topics.bindings());
    rawBindings =
        driver.createInputTopic(
            topics.bindings().name(),
            Serdes.String().serializer(),
            Serdes.ByteArray().serializer());
    runners = input(topics.runners());
    ledgerIn = input(topics.runLedger());
    rawLedger =
        driver.createInputTopic(
            topics.runLedger().name(),
            Serdes.ByteArray().serializer(),
            Serdes.ByteArray().serializer());
    controlIn = input(topics.runControl());
    decisions = output(topics.dispatchDecisions());
    ledger = output(topics.runLedger());
    commands = output(topics.runCommands("default"));
    control = output(topics.runControl());
    dlq =
        driver.createOutputTopic(
            topics.dlq().name(),
            Serdes.ByteArray().deserializer(),
            Serdes.ByteArray().deserializer());
  }

  /**
   * Writes {@code binding} to the bindings topic under its key, {@code workspace_id/binding_id}.
   */
  void bind(final AgentBinding binding) {
    bindings.pipeInput(
        WorkspaceKeys.key(binding.getScope().getWorkspaceId(), binding.getBindingId()), binding);
  }

  /** The echo runner's manifest and binding {@code b1} of it in {@code mode}, 60 s timeout. */
  void bindEcho(final DispatchMode mode) {
    runners.pipeInput(Fixtures.ECHO, Fixtures.manifest(Fixtures.ECHO, "default").build());
    final AgentBinding.Builder binding = Fixtures.binding("b1", Fixtures.ECHO).setTimeoutMs(60_000);
    binding.getDispatchPolicyBuilder().setMode(mode);
    bind(binding.build());
  }

  /** Writes {@code event} to the ingest topic under its ingest key. */
  void send(final HostEvent event) {
    events.pipeInput(ConversationKeys.ingestKey(event), event);
  }

  /** A record of worker {@code w1}, attempt 1, of run {@code runId}. */
  static LedgerRecord worker(final String runId, final long sequence, final Object body) {
    return LedgerRecord.newBuilder()
        .setRunId(runId)
        .setAttempt(1)
        .setSequence(sequence)
        .setTimestamp(START)
        .setProducer("w1")
        .setBody(body)
        .build();
  }

  /** Worker {@code w1}'s {@code run.completed} of run {@code runId}, sequence 2. */
  static LedgerRecord completed(final String runId) {
    return worker(
        runId,
        2,
        AgentRunResult.newBuilder()
            .setType("run.completed")
            .setPayload(RunCompleted.newBuilder().setFinishReason("stop").build())
            .build());
  }

  /** The key of a decision of event {@code eventId} in the fixtures' workspace. */
  static String decisionKey(final String eventId) {
    return WorkspaceKeys.key(Fixtures.WORKSPACE, eventId);
  }

  /** The topology under test; a subclass may build it with a seam. */
  Topology topology(final OrchestratorSettings settings) {
    return DispatchTopology.build(topics, settings);
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private <V> TestInputTopic<String, V> input(final Topic<String, V> topic) {
    return driver.createInputTopic(
        topic.name(), topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  private <V> TestOutputTopic<String, V> output(final Topic<String, V> topic) {
    return driver.createOutputTopic(
        topic.name(), topic.keySerde().deserializer(), topic.valueSerde().deserializer());
  }
}
