package dev.runledger.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingScope;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingTableTest {
  private final BindingTable table = new BindingTable();

  static AgentBinding binding(final String id, final int priority) {
    return AgentBinding.newBuilder()
        .setBindingId(id)
        .setScope(BindingScope.newBuilder().setWorkspaceId("w").build())
        .setEventTypes(List.of("message.*"))
        .setRunnerId("builtin:echo/default")
        .setPriority(priority)
        .build();
  }

  @Test
  void shouldListBindingsByIdWhenSeveralAreApplied() {
    // when
    table.apply("b", binding("b", 0), 0, 1);
    table.apply("a", binding("a", 0), 1, 1);
    table.apply("c", binding("c", 0), 0, 2);

    // then
    assertThat(table.list()).extracting(AgentBinding::getBindingId).containsExactly("a", "b", "c");
  }

  @Test
  void shouldRemoveBindingWhenTombstoneIsApplied() {
    // given
    table.apply("a", binding("a", 0), 0, 1);

    // when
    table.apply("a", null, 0, 2);

    // then
    assertThat(table.get("a")).isEmpty();
    assertThat(table.list()).isEmpty();
  }

  @Test
  void shouldKeepNewerWriteWhenAnOlderRecordArrivesLater() {
    // given the gateway applied its own write at offset 5
    table.apply("a", binding("a", 2), 0, 5);

    // when the consumer catches up with the older record at offset 3
    table.apply("a", binding("a", 1), 0, 3);

    // then
    assertThat(table.get("a")).get().extracting(AgentBinding::getPriority).isEqualTo(2);
  }

  @Test
  void shouldKeepDeletionWhenAnOlderRecordArrivesLater() {
    // given
    table.apply("a", null, 0, 5);

    // when
    table.apply("a", binding("a", 1), 0, 4);

    // then
    assertThat(table.get("a")).isEmpty();
  }

  @Test
  void shouldReplaceBindingWhenANewerRecordArrives() {
    // given
    table.apply("a", binding("a", 1), 0, 4);

    // when
    table.apply("a", binding("a", 3), 0, 9);

    // then
    assertThat(table.get("a")).get().extracting(AgentBinding::getPriority).isEqualTo(3);
  }

  @Test
  void shouldNotExposeStoredBindingWhenCallerChangesTheCopy() {
    // given
    table.apply("a", binding("a", 1), 0, 1);

    // when
    table.get("a").orElseThrow().put("priority", 99);

    // then
    assertThat(table.get("a")).get().extracting(AgentBinding::getPriority).isEqualTo(1);
  }
}
