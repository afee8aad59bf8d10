package dev.runledger.orchestrator.topology;

import static dev.runledger.orchestrator.dispatch.Fixtures.CONVERSATION;
import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static dev.runledger.orchestrator.dispatch.Fixtures.scope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.StartRun;
import dev.runledger.orchestrator.dispatch.Fixtures;
import dev.runledger.orchestrator.dispatch.HostEventValidator;
import dev.runledger.orchestrator.dispatch.Resolution;
import dev.runledger.orchestrator.dispatch.RunDecider;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.schemas.serde.DecodeException;
import dev.runledger.schemas.topics.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

class DispatchTopologyTest extends DispatchDriverTest {
  private void given(final RunnerManifest manifest) {
    runners.pipeInput(manifest.getRunnerId(), manifest);
  }

  private void given(final AgentBinding binding) {
    bind(binding);
  }

  /** The single decision of the single event sent, after checking it is the only one. */
  private DispatchDecision onlyDecision(final String eventId) {
    final List<TestRecord<String, DispatchDecision>> all = decisions.readRecordsToList();
    assertThat(all).hasSize(1);
    assertThat(all.get(0).key()).isEqualTo(decisionKey(eventId));
    return all.get(0).value();
  }

  @Test
  void shouldWriteRunCreatedStartRunAndDecisionWhenABindingMatches() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).setTimeoutMs(60_000).build());

    // when
    send(event("e1").build());

    // then the decision, keyed by workspace and event id, naming the workspace
    final String runId = RunIds.runId(Fixtures.WORKSPACE, "e1", "b1");
    final DispatchDecision decision = onlyDecision("e1");
    assertThat(decision.getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(decision.getRunId()).isEqualTo(runId);
    assertThat(decision.getBindingId()).isEqualTo("b1");
    assertThat(decision.getDecidedAt()).isEqualTo(START);
    assertThat(decision.getWorkspaceId()).isEqualTo(Fixtures.WORKSPACE);

    // and RunCreated, keyed by run id
    final List<TestRecord<String, LedgerRecord>> records = ledger.readRecordsToList();
    assertThat(records).hasSize(1);
    assertThat(records.get(0).key()).isEqualTo(runId);
    final LedgerRecord created = records.get(0).value();
    assertThat(created.getAttempt()).isZero();
    assertThat(created.getSequence()).isEqualTo(1);
    assertThat(created.getProducer()).isEqualTo(RunDecider.PRODUCER);
    assertThat(created.getConversationKey()).isEqualTo("ws1/bot1/c1/");
    final RunCreated body = (RunCreated) created.getBody();
    assertThat(body.getRunnerId()).isEqualTo(ECHO);
    assertThat(body.getPool()).isEqualTo("default");
    assertThat(body.getDeadlineAt()).isEqualTo(START.plusMillis(60_000));
    assertThat(body.getSnapshot().getRunId()).isEqualTo(runId);
    assertThat(body.getSnapshot().getWorkspaceId()).isEqualTo("ws1");
    assertThat(body.getSnapshot().getConversationId()).isEqualTo(CONVERSATION);

    // and StartRun on the pool's command topic, keyed by run id, with the same snapshot
    final List<TestRecord<String, RunCommand>> started = commands.readRecordsToList();
    assertThat(started).hasSize(1);
    assertThat(started.get(0).key()).isEqualTo(runId);
    assertThat(header(started.get(0).headers(), DispatchTopology.POOL_HEADER)).isEqualTo("default");
    final StartRun start = (StartRun) started.get(0).value().getKind();
    assertThat(start.getSnapshot()).isEqualTo(body.getSnapshot());
    assertThat(start.getDeadlineAt()).isEqualTo(body.getDeadlineAt());
    assertThat(start.getContext().getInput().getText()).isEqualTo("hello");
    assertThat(start.getContext().getRuntime().getTraceId()).isEqualTo(runId);
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void shouldCreateOneRunAndDecideDuplicateWhenAnEventIdArrivesTwice() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).build());

    // when
    send(event("e1").build());
    driver.advanceWallClockTime(Duration.ofMinutes(5));
    send(event("e1").build());

    // then
    final List<TestRecord<String, DispatchDecision>> all = decisions.readRecordsToList();
    assertThat(all)
        .extracting(TestRecord::key)
        .containsExactly(decisionKey("e1"), decisionKey("e1"));
    assertThat(all)
        .extracting(r -> r.value().getDecision())
        .containsExactly(Decision.RUN_CREATED, Decision.DUPLICATE);
    assertThat(all.get(1).value().getRunId())
        .isEqualTo(RunIds.runId(Fixtures.WORKSPACE, "e1", "b1"));
    assertThat(all.get(1).value().getBindingId()).isEqualTo("b1");
    assertThat(ledger.readRecordsToList()).hasSize(1);
    assertThat(commands.readRecordsToList()).hasSize(1);
    final WindowStore<String, DispatchDecision> decided =
        driver.getWindowStore(DispatchTopology.STORE_DECISIONS);
    try (WindowStoreIterator<DispatchDecision> seen =
        decided.fetch(decisionKey("e1"), 0L, Long.MAX_VALUE)) {
      final var first = seen.next();
      assertThat(first.key).isEqualTo(START.toEpochMilli());
      assertThat(first.value.getDecision()).isEqualTo(Decision.RUN_CREATED);
      assertThat(seen.hasNext()).isFalse();
    }
  }

  @Test
  void shouldForgetAnEventIdWhenTheDedupeWindowHasPassed() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).build());
    send(event("e1").build());

    // when
    driver.advanceWallClockTime(WINDOW.plusMinutes(1));
    send(event("e1").build());

    // then
    assertThat(decisions.readValuesToList())
        .extracting(DispatchDecision::getDecision)
        .containsExactly(Decision.RUN_CREATED, Decision.RUN_CREATED);
  }

  @Test
  void shouldDecideNoBindingWhenNothingCoversTheEvent() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).setEventTypes(List.of("group.*")).build());

    // when
    send(event("e1").build());

    // then
    final DispatchDecision decision = onlyDecision("e1");
    assertThat(decision.getDecision()).isEqualTo(Decision.NO_BINDING);
    assertThat(decision.getRunId()).isNull();
    assertThat(ledger.isEmpty()).isTrue();
    assertThat(commands.isEmpty()).isTrue();
  }

  @Test
  void shouldRejectAsAmbiguousWhenTwoBindingsTie() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).setPriority(2).build());
    given(binding("b2", ECHO).setPriority(2).build());

    // when
    send(event("e1").build());

    // then
    final DispatchDecision decision = onlyDecision("e1");
    assertThat(decision.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(decision.getReason()).isEqualTo(Resolution.BINDING_AMBIGUOUS);
    assertThat(ledger.isEmpty()).isTrue();
    assertThat(commands.isEmpty()).isTrue();
  }

  @Test
  void shouldRunTheMoreSpecificBindingWhenAWiderOneHasAHigherPriority() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("wide", ECHO).setPriority(100).build());
    given(binding("narrow", ECHO).setScope(scope(null, CONVERSATION, null)).build());

    // when
    send(event("e1").build());

    // then
    final DispatchDecision decision = onlyDecision("e1");
    assertThat(decision.getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(decision.getBindingId()).isEqualTo("narrow");
    assertThat(ledger.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .containsExactly(RunIds.runId(Fixtures.WORKSPACE, "e1", "narrow"));
  }

  @Test
  void shouldRejectAsRunnerUnknownUntilTheRunnersManifestArrives() {
    // given
    given(binding("b1", ECHO).build());

    // when
    send(event("e1").build());
    given(manifest(ECHO, "default").build());
    send(event("e2").build());

    // then
    final List<DispatchDecision> all = decisions.readValuesToList();
    assertThat(all)
        .extracting(DispatchDecision::getDecision)
        .containsExactly(Decision.REJECTED, Decision.RUN_CREATED);
    assertThat(all.get(0).getReason()).isEqualTo(Resolution.RUNNER_UNKNOWN);
    assertThat(all.get(0).getBindingId()).isEqualTo("b1");
    assertThat(ledger.readKeyValuesToList())
        .extracting(kv -> kv.key)
        .containsExactly(RunIds.runId(Fixtures.WORKSPACE, "e2", "b1"));
  }

  @Test
  void shouldRejectWhenTheRunnersPoolHasNoCommandTopic() {
    given(manifest(ECHO, "gpu").build());
    given(binding("b1", ECHO).build());

    send(event("e1").build());

    final DispatchDecision decision = onlyDecision("e1");
    assertThat(decision.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(decision.getReason()).isEqualTo(RunDecider.POOL_UNKNOWN);
    assertThat(driver.producedTopicNames()).doesNotContain(topics.runCommands("gpu").name());
  }

  @Test
  void shouldDeadLetterGarbageWithHeadersAndStillRunTheNextEvent() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).build());
    final byte[] key = "ws1/bot1/c1/".getBytes(StandardCharsets.UTF_8);
    final byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

    // when
    rawEvents.pipeInput(key, garbage);
    send(event("e2").build());

    // then the garbage is in the DLQ, byte for byte, with the error headers
    final List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).key()).isEqualTo(key);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    final Headers headers = dead.get(0).headers();
    assertThat(header(headers, DeadLetters.ERROR_CODE)).isEqualTo(DecodeException.BAD_HEADER);
    assertThat(header(headers, DeadLetters.ERROR_MESSAGE)).contains("HostEvent");
    assertThat(header(headers, DeadLetters.SOURCE_TOPIC)).isEqualTo(topics.hostEvents().name());
    assertThat(header(headers, DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
    assertThat(header(headers, DeadLetters.SOURCE_OFFSET)).isEqualTo("0");

    // and the next valid event still becomes a run
    assertThat(onlyDecision("e2").getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(commands.readRecordsToList()).hasSize(1);
  }

  @Test
  void shouldDeadLetterATombstoneOnTheIngestTopic() {
    rawEvents.pipeInput("k".getBytes(StandardCharsets.UTF_8), (byte[]) null);

    final TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertThat(header(dead.headers(), DeadLetters.ERROR_CODE)).isEqualTo(DeadLetters.EMPTY_VALUE);
    assertThat(decisions.isEmpty()).isTrue();
  }

  @Test
  void shouldDeadLetterAndDecideInvalidWhenTheEventFailsValidation() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).build());
    final HostEvent badType = event("e1").setEventType("message").build();

    // when
    send(badType);

    // then
    final TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertThat(header(dead.headers(), DeadLetters.ERROR_CODE))
        .isEqualTo(HostEventValidator.EVENT_INVALID);
    assertThat(header(dead.headers(), DeadLetters.ERROR_MESSAGE)).contains("event_type");
    assertThat(dead.value())
        .isEqualTo(topics.hostEvents().valueSerde().serializer().serialize(null, badType));
    final DispatchDecision decision = onlyDecision("e1");
    assertThat(decision.getDecision()).isEqualTo(Decision.INVALID);
    assertThat(decision.getReason()).isEqualTo(HostEventValidator.EVENT_INVALID);
    assertThat(ledger.isEmpty()).isTrue();
  }

  @Test
  void shouldOnlyDeadLetterAnInvalidEventWithoutAnEventId() {
    send(event(" ").build());

    assertThat(header(dlq.readRecord().headers(), DeadLetters.ERROR_CODE))
        .isEqualTo(HostEventValidator.EVENT_INVALID);
    assertThat(decisions.isEmpty()).isTrue();
  }

  @Test
  void shouldStopMatchingABindingWhenItIsDeleted() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).build());

    // when
    bindings.pipeInput(decisionKey("b1"), (AgentBinding) null);
    send(event("e1").build());

    // then
    assertThat(onlyDecision("e1").getDecision()).isEqualTo(Decision.NO_BINDING);
  }

  @Test
  void shouldIgnoreAnUndecodableBindingAndUseTheOthers() {
    // given
    given(manifest(ECHO, "default").build());
    rawBindings.pipeInput(
        decisionKey("broken"), "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
    given(binding("b1", ECHO).build());

    // when
    send(event("e1").build());
    send(event("e2").build());

    // then
    assertThat(decisions.readValuesToList())
        .extracting(DispatchDecision::getBindingId)
        .containsExactly("b1", "b1");
  }

  @Test
  void shouldDecideExactlyOncePerEventWhenOutcomesAreMixed() {
    // given
    given(manifest(ECHO, "default").build());
    given(binding("b1", ECHO).setEventTypes(List.of("message.received")).build());

    // when
    send(event("e1").build());
    send(event("e2").setEventType("group.member_joined").build());
    send(event("e1").build());
    send(event("e3").setWorkspaceId("").build());
    send(event("e4").build());

    // then
    final Map<String, Long> perEvent =
        decisions.readKeyValuesToList().stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    kv -> kv.key + "=" + kv.value.getDecision(),
                    java.util.stream.Collectors.counting()));
    assertThat(perEvent)
        .containsOnly(
            Map.entry("ws1/e1=RUN_CREATED", 1L),
            Map.entry("ws1/e2=NO_BINDING", 1L),
            Map.entry("ws1/e1=DUPLICATE", 1L),
            Map.entry("/e3=INVALID", 1L),
            Map.entry("ws1/e4=ENQUEUED", 1L));
    assertThat(ledger.readRecordsToList()).hasSize(1);
  }

  private static String header(final Headers headers, final String name) {
    final Header header = headers.lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }
}
