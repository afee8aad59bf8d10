package dev.runledger.orchestrator.topology;

import static dev.runledger.orchestrator.dispatch.Fixtures.ECHO;
import static dev.runledger.orchestrator.dispatch.Fixtures.binding;
import static dev.runledger.orchestrator.dispatch.Fixtures.event;
import static dev.runledger.orchestrator.dispatch.Fixtures.filter;
import static dev.runledger.orchestrator.dispatch.Fixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingScope;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.EventInput;
import dev.runledger.avro.FilterOp;
import dev.runledger.avro.HostEvent;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** A hostile regex filter in one workspace does not hold up the events of another. */
class RegexFilterTopologyTest extends DispatchDriverTest {
  private static HostEvent message(
      final String eventId, final String workspace, final String text) {
    return event(eventId)
        .setWorkspaceId(workspace)
        .setInput(EventInput.newBuilder().setText(text).build())
        .build();
  }

  private static AgentBinding.Builder in(final String workspace, final String bindingId) {
    return binding(bindingId, ECHO)
        .setScope(BindingScope.newBuilder().setWorkspaceId(workspace).build());
  }

  @Test
  void shouldDecideTheOtherWorkspacesEventRightAfterTheBacktrackingFilterAndItsInput() {
    // given: the filter java.util.regex needed seconds for on 24 a's and 32 b's
    runners.pipeInput(ECHO, manifest(ECHO, "default").build());
    final AgentBinding evil =
        in("evil", "evil-regex")
            .setFilters(List.of(filter("input.text", FilterOp.REGEX, "(.*a){25}")))
            .build();
    bind(evil);
    final AgentBinding acme = in("acme", "acme-all").build();
    bind(acme);

    // when
    send(message("evil-1", "evil", "a".repeat(24) + "b".repeat(32)));
    send(message("acme-1", "acme", "hello"));

    // then: both are decided, the evil one by the filter's real answer
    final List<KeyValue<String, DispatchDecision>> all = decisions.readKeyValuesToList();
    assertThat(all).extracting(kv -> kv.key).containsExactly("evil/evil-1", "acme/acme-1");
    final Map<String, DispatchDecision> decided =
        all.stream().collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
    assertThat(decided.get("evil/evil-1").getDecision()).isEqualTo(Decision.NO_BINDING);
    assertThat(decided.get("acme/acme-1").getDecision()).isEqualTo(Decision.RUN_CREATED);
    assertThat(decided.get("acme/acme-1").getBindingId()).isEqualTo("acme-all");
  }
}
