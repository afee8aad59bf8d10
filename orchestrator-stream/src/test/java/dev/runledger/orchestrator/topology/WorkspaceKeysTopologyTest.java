package dev.runledger.orchestrator.topology;

import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.StartRun;
import dev.runledger.orchestrator.dispatch.HostEventValidator;
import dev.runledger.orchestrator.dispatch.RunIds;
import dev.runledger.schemas.topics.DeadLetters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Event and binding ids are unique only inside a workspace: dedupe, decisions, run ids and bindings
 * are keyed by {@code workspace_id/id}, and ids that would blur that key are refused.
 */
class WorkspaceKeysTopologyTest extends DispatchDriverTest {
  private static AgentBinding.Builder in(final String workspace, final String bindingId) {
    return binding(bindingId, ECHO)
        .setScope(BindingScope.newBuilder().setWorkspaceId(workspace).build());
  }

  private static HostEvent.Builder eventIn(final String workspace, final String eventId) {
    return event(eventId).setWorkspaceId(workspace);
  }

  private Map<String, DispatchDecision> decisionsByKey() {
    return decisions.readKeyValuesToList().stream()
        .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
  }

  @Test
  void shouldCreateTwoRunsWhenTwoWorkspacesChooseTheSameEventId() {
    // given a binding of the same id in each workspace
    runners.pipeInput(ECHO, manifest(ECHO, "default").build());
    bind(in("acme", "b1").build());
    bind(in("evil", "b1").build());

    // when each workspace sends an event e1, acme's twice
    send(eventIn("acme", "e1").build());
    send(eventIn("evil", "e1").build());
    driver.advanceWallClockTime(Duration.ofMinutes(1));
    send(eventIn("acme", "e1").build());

    // then each workspace's e1 gets its own run, and only acme's copy is a duplicate
    final List<KeyValue<String, DispatchDecision>> all = decisions.readKeyValuesToList();
    assertThat(all).extracting(kv -> kv.key).containsExactly("acme/e1", "evil/e1", "acme/e1");
    assertThat(all)
        .extracting(kv -> kv.value.getDecision())
        .containsExactly(Decision.RUN_CREATED, Decision.RUN_CREATED, Decision.DUPLICATE);
    assertThat(all)
        .extracting(kv -> kv.value.getWorkspaceId())
        .containsExactly("acme", "evil", "acme");
    final String acmeRun = RunIds.runId("acme", "e1", "b1");
    final String evilRun = RunIds.runId("evil", "e1", "b1");
    assertThat(acmeRun).isNotEqualTo(evilRun);
    assertThat(all)
        .extracting(kv -> kv.value.getRunId())
        .containsExactly(acmeRun, evilRun, acmeRun);
    final List<TestRecord<String, RunCommand>> started = commands.readRecordsToList();
    assertThat(started).extracting(TestRecord::key).containsExactly(acmeRun, evilRun);
    assertThat(started)
        .extracting(r -> ((StartRun) r.value().getKind()).getSnapshot().getWorkspaceId())
        .containsExactly("acme", "evil");
  }

  @Test
  void shouldResolveEachWorkspacesEventToItsOwnBindingOfTheSameId() {
    // given: b1 in acme takes only group events, b1 in evil takes messages
    runners.pipeInput(ECHO, manifest(ECHO, "default").build());
    bind(in("acme", "b1").setEventTypes(List.of("group.*")).build());
    bind(in("evil", "b1").build());

    // when each sends a message
    send(eventIn("acme", "m1").build());
    send(eventIn("evil", "m1").build());

    // then evil's b1 never covers acme's message
    final Map<String, DispatchDecision> decided = decisionsByKey();
    assertThat(decided.get("acme/m1").getDecision()).isEqualTo(Decision.NO_BINDING);
    assertThat(decided.get("evil/m1").getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(decided.get("evil/m1").getBindingId()).isEqualTo("b1");
  }

  @Test
  void shouldKeepTheOtherWorkspacesBindingWhenOneDeletesItsBindingOfTheSameId() {
    // given
    runners.pipeInput(ECHO, manifest(ECHO, "default").build());
    bind(in("acme", "b1").build());
    bind(in("evil", "b1").build());

    // when evil deletes its b1
    bindings.pipeInput("evil/b1", (AgentBinding) null);
    send(eventIn("acme", "e1").build());
    send(eventIn("evil", "e1").build());

    // then
    final Map<String, DispatchDecision> decided = decisionsByKey();
    assertThat(decided.get("acme/e1").getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(decided.get("evil/e1").getDecision()).isEqualTo(Decision.NO_BINDING);
  }

  @Test
  void shouldNotResolveToABindingKeyedUnderAnotherWorkspace() {
    // given a binding of acme's scope written straight to the topic under evil's key
    runners.pipeInput(ECHO, manifest(ECHO, "default").build());
    bindings.pipeInput("evil/b1", in("acme", "b1").build());

    // when
    send(eventIn("acme", "e1").build());
    send(eventIn("evil", "e1").build());

    // then neither workspace's event resolves to it
    final Map<String, DispatchDecision> decided = decisionsByKey();
    assertThat(decided.get("acme/e1").getDecision()).isEqualTo(Decision.NO_BINDING);
    assertThat(decided.get("evil/e1").getDecision()).isEqualTo(Decision.NO_BINDING);
  }

  @Test
  void shouldDecideInvalidIdWhenAnEventFromTheTopicHoldsTheSeparatorInAnId() {
    // given
    runners.pipeInput(ECHO, manifest(ECHO, "default").build());
    bind(in("acme", "b1").build());

    // when events straight on the topic carry '/' in their bot, conversation and thread ids
    send(eventIn("acme", "e1").setBotId("bot/1").build());
    send(eventIn("acme", "e2").setConversationId("c/1").build());
    send(eventIn("acme", "e3").setThreadId("t/1").build());

    // then each is invalid with the stable reason, dead-lettered naming the field, and has no run
    final Map<String, DispatchDecision> decided = decisionsByKey();
    assertThat(decided).containsOnlyKeys("acme/e1", "acme/e2", "acme/e3");
    assertThat(decided.values())
        .allSatisfy(
            d -> {
              assertThat(d.getDecision()).isEqualTo(Decision.INVALID);
              assertThat(d.getReason()).isEqualTo(HostEventValidator.EVENT_INVALID_ID);
            });
    final List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead)
        .extracting(r -> header(r, DeadLetters.ERROR_CODE))
        .containsOnly(HostEventValidator.EVENT_INVALID_ID);
    assertThat(dead)
        .extracting(r -> header(r, DeadLetters.ERROR_MESSAGE))
        .satisfiesExactly(
            m -> assertThat(m).contains("bot_id"),
            m -> assertThat(m).contains("conversation_id"),
            m -> assertThat(m).contains("thread_id"));
    assertThat(commands.isEmpty()).isTrue();
  }

  @Test
  void shouldDecideInvalidIdWhenTheWorkspaceIdHoldsTheSeparator() {
    send(eventIn("acme/evil", "e1").build());

    final DispatchDecision decision = decisions.readValue();
    assertThat(decision.getDecision()).isEqualTo(Decision.INVALID);
    assertThat(decision.getReason()).isEqualTo(HostEventValidator.EVENT_INVALID_ID);
    assertThat(header(dlq.readRecord(), DeadLetters.ERROR_MESSAGE)).contains("workspace_id");
  }

  private static String header(final TestRecord<byte[], byte[]> record, final String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
