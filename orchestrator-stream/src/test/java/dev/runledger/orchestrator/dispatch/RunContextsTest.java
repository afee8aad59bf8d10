package dev.runledger.orchestrator.dispatch;

import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRunContext;
import dev.runledger.avro.AuthorizationSnapshot;
import dev.runledger.avro.HostEvent;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunContextsTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:05Z");
  private static final Instant DEADLINE = NOW.plusSeconds(600);

  @Test
  void shouldCarryTheEventAndPointAtTheConversationWithoutHistory() {
    // given
    final HostEvent event = event("e1").setThreadId("t1").setMetadataJson("{\"k\":1}").build();
    final AgentBinding binding =
        binding("b1", ECHO).setRunnerConfigJson("{\"greeting\":\"hi\"}").build();
    final AuthorizationSnapshot snapshot =
        AuthorizationSnapshots.intersect(
            manifest(ECHO, "default").build(), binding, event, "run_1", NOW);

    // when
    final AgentRunContext context =
        RunContexts.startContext(event, binding, snapshot, "run_1", DEADLINE);

    // then
    assertThat(context.getRunId()).isEqualTo("run_1");
    assertThat(context.getTrigger().getType()).isEqualTo("message.received");
    assertThat(context.getTrigger().getSource()).isEqualTo(event.getSource());
    assertThat(context.getTrigger().getTimestamp()).isEqualTo(event.getEventTime());
    assertThat(context.getEvent().getEventId()).isEqualTo("e1");
    assertThat(context.getEvent().getWorkspaceId()).isEqualTo("ws1");
    assertThat(context.getConversation().getConversationId()).isEqualTo("c1");
    assertThat(context.getConversation().getThreadId()).isEqualTo("t1");
    assertThat(context.getActor()).isEqualTo(event.getActor());
    assertThat(context.getInput().getText()).isEqualTo("hello");
    assertThat(context.getDelivery()).isEqualTo(event.getDelivery());
    assertThat(context.getContext().getConversationId()).isEqualTo("c1");
    assertThat(context.getContext().getLatestCursor()).isNull();
    assertThat(context.getContext().getHasHistoryBefore()).isFalse();
    assertThat(context.getContext().getAvailableApis()).isEqualTo(snapshot.getAvailableApis());
    assertThat(context.getRuntime().getTraceId()).isEqualTo("run_1");
    assertThat(context.getRuntime().getAttempt()).isZero();
    assertThat(context.getRuntime().getDeadlineAt()).isEqualTo(DEADLINE);
    assertThat(context.getConfigJson()).isEqualTo("{\"greeting\":\"hi\"}");
    assertThat(context.getMetadataJson()).isEqualTo("{\"k\":1}");
  }

  @Test
  void shouldHaveNoConversationWhenTheEventHasNone() {
    final HostEvent event = event("e1").setConversationId(null).build();
    final AgentBinding binding = binding("b1", ECHO).build();
    final AuthorizationSnapshot snapshot =
        AuthorizationSnapshots.intersect(
            manifest(ECHO, "default").build(), binding, event, "run_1", NOW);

    final AgentRunContext context =
        RunContexts.startContext(event, binding, snapshot, "run_1", DEADLINE);

    assertThat(context.getConversation()).isNull();
    assertThat(context.getContext().getConversationId()).isNull();
  }
}
