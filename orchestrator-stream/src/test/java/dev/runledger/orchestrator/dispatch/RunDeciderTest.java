package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.StartRun;
import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.schemas.topics.LedgerTopics;
import dev.runledger.schemas.topics.Topic;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunDeciderTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:05Z");

  private final RunDecider decider = new RunDecider(Set.of("default", "gpu"));

  @Test
  void shouldCreateARunWithLedgerRecordAndStartCommandWhenMatched() {
    // given
    final HostEvent event = event("e1").build();
    final AgentBinding binding = binding("b1", ECHO).setTimeoutMs(30_000).build();
    final Resolution matched = Resolution.matched(binding, manifest(ECHO, "gpu").build());

    // when
    final RunDecider.Dispatch dispatch = decider.decide(event, matched, NOW);

    // then
    final String runId = RunIds.runId(Fixtures.WORKSPACE, "e1", "b1");
    assertThat(dispatch.decision()).isEqualTo(Decisions.runCreated(event, runId, "b1", NOW));
    final RunDecider.CreatedRun run = dispatch.run().orElseThrow();
    assertThat(run.runId()).isEqualTo(runId);
    assertThat(run.pool()).isEqualTo("gpu");
    final LedgerRecord created = run.created();
    assertThat(created.getRunId()).isEqualTo(runId);
    assertThat(created.getAttempt()).isZero();
    assertThat(created.getSequence()).isEqualTo(1);
    assertThat(created.getProducer()).isEqualTo("orchestrator");
    assertThat(created.getTimestamp()).isEqualTo(NOW);
    assertThat(created.getConversationKey()).isEqualTo("ws1/bot1/c1/");
    final RunCreated body = (RunCreated) created.getBody();
    assertThat(body.getEventId()).isEqualTo("e1");
    assertThat(body.getEventType()).isEqualTo("message.received");
    assertThat(body.getBindingId()).isEqualTo("b1");
    assertThat(body.getRunnerId()).isEqualTo(ECHO);
    assertThat(body.getPool()).isEqualTo("gpu");
    assertThat(body.getDeadlineAt()).isEqualTo(NOW.plusMillis(30_000));
    assertThat(body.getDecision()).isEqualTo(Decision.RUN_CREATED);
    final StartRun start = (StartRun) run.start().getKind();
    assertThat(run.start().getRunId()).isEqualTo(runId);
    assertThat(start.getSnapshot()).isEqualTo(body.getSnapshot());
    assertThat(start.getDeadlineAt()).isEqualTo(body.getDeadlineAt());
    assertThat(start.getContext().getRunId()).isEqualTo(runId);
  }

  @Test
  void shouldUseTheDefaultTimeoutWhenTheBindingHasNoPositiveOne() {
    final Resolution matched =
        Resolution.matched(
            binding("b1", ECHO).setTimeoutMs(0).build(), manifest(ECHO, "default").build());

    final RunDecider.Dispatch dispatch = decider.decide(event("e1").build(), matched, NOW);

    assertThat(((StartRun) dispatch.run().orElseThrow().start().getKind()).getDeadlineAt())
        .isEqualTo(NOW.plusMillis(RunDecider.DEFAULT_TIMEOUT_MS));
  }

  @Test
  void shouldRejectWhenTheRunnersPoolIsNotConfigured() {
    final Resolution matched =
        Resolution.matched(binding("b1", ECHO).build(), manifest(ECHO, "elsewhere").build());

    final RunDecider.Dispatch dispatch = decider.decide(event("e1").build(), matched, NOW);

    assertThat(dispatch.run()).isEmpty();
    assertThat(dispatch.decision())
        .isEqualTo(Decisions.rejected(event("e1").build(), "b1", RunDecider.POOL_UNKNOWN, NOW));
  }

  @Test
  void shouldRejectAsPayloadTooLargeWhenEventAndRunnerConfigTogetherAreOverTheLimit() {
    // given: an event and a runner config that each fit the limit, but not together
    final Topic<String, RunCommand> commands =
        LedgerTopics.create(LedgerConfig.of(Map.of())).runControl();
    final RunDecider limited =
        new RunDecider(Set.of("default"), c -> commands.encodedSize(c.getRunId(), c), 20_000);
    final String half = "x".repeat(12_000);
    final HostEvent event =
        event("e1").setInput(EventInput.newBuilder().setText(half).build()).build();
    final AgentBinding small = binding("b1", ECHO).build();
    final AgentBinding large =
        binding("b1", ECHO).setRunnerConfigJson("{\"pad\":\"" + half + "\"}").build();
    final RunnerManifest manifest = manifest(ECHO, "default").build();

    // when
    final RunDecider.Dispatch fits =
        limited.decide(event, Resolution.matched(small, manifest), NOW);
    final RunDecider.Dispatch over =
        limited.decide(event, Resolution.matched(large, manifest), NOW);

    // then
    assertThat(fits.run()).isPresent();
    assertThat(over.run()).isEmpty();
    assertThat(over.decision())
        .isEqualTo(
            Decisions.rejected(event("e1").build(), "b1", RunDecider.PAYLOAD_TOO_LARGE, NOW));
  }

  @Test
  void shouldPassRejectionsAndNoBindingThroughWithoutARun() {
    final HostEvent event = event("e1").build();

    final RunDecider.Dispatch none = decider.decide(event, Resolution.noBinding(), NOW);
    final RunDecider.Dispatch ambiguous =
        decider.decide(event, Resolution.rejected(null, Resolution.BINDING_AMBIGUOUS), NOW);

    assertThat(none.run()).isEmpty();
    assertThat(none.decision().getDecision()).isEqualTo(Decision.NO_BINDING);
    assertThat(ambiguous.run()).isEmpty();
    final DispatchDecision rejected = ambiguous.decision();
    assertThat(rejected.getDecision()).isEqualTo(Decision.REJECTED);
    assertThat(rejected.getReason()).isEqualTo("binding.ambiguous");
    assertThat(rejected.getBindingId()).isNull();
  }
}
