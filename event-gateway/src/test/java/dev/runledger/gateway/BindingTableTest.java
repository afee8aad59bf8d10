package dev.runledger.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.BindingScope;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingTableTest {
  private final BindingTable table = new BindingTable();

  static AgentBinding binding(final String id, final int priority) {
    return binding("w", id, priority);
  }

  static AgentBinding binding(final String workspace, final String id, final int priority) {
    return AgentBinding.newBuilder()
        .setBindingId(id)
        .setScope(BindingScope.newBuilder().setWorkspaceId(workspace).build())
        .setEventTypes(List.of("message.*"))
        .setRunnerId("builtin:echo/default")
        .setPriority(priority)
        .build();
  }

  @Test
  void shouldListBindingsByIdWhenSeveralAreApplied() {
    // when
    table.apply("w/b", binding("b", 0), 0, 1);
    table.apply("w/a", binding("a", 0), 1, 1);
    table.apply("w/c", binding("c", 0), 0, 2);

    // then
    assertThat(table.list("w"))
        .extracting(AgentBinding::getBindingId)
        .containsExactly("a", "b", "c");
  }

  @Test
  void shouldRemoveBindingWhenTombstoneIsApplied() {
    // given
    table.apply("w/a", binding("a", 0), 0, 1);

    // when
    table.apply("w/a", null, 0, 2);

    // then
    assertThat(table.get("w", "a")).isEmpty();
    assertThat(table.list("w")).isEmpty();
  }

  @Test
  void shouldKeepNewerWriteWhenAnOlderRecordArrivesLater() {
    // given the gateway applied its own write at offset 5
    table.apply("w/a", binding("a", 2), 0, 5);

    // when the consumer catches up with the older record at offset 3
    table.apply("w/a", binding("a", 1), 0, 3);

    // then
    assertThat(table.get("w", "a")).get().extracting(AgentBinding::getPriority).isEqualTo(2);
  }

  @Test
  void shouldKeepDeletionWhenAnOlderRecordArrivesLater() {
    // given
    table.apply("w/a", null, 0, 5);

    // when
    table.apply("w/a", binding("a", 1), 0, 4);

    // then
    assertThat(table.get("w", "a")).isEmpty();
  }

  @Test
  void shouldReplaceBindingWhenANewerRecordArrives() {
    // given
    table.apply("w/a", binding("a", 1), 0, 4);

    // when
    table.apply("w/a", binding("a", 3), 0, 9);

    // then
    assertThat(table.get("w", "a")).get().extracting(AgentBinding::getPriority).isEqualTo(3);
  }

  @Test
  void shouldNotExposeStoredBindingWhenCallerChangesTheCopy() {
    // given
    table.apply("w/a", binding("a", 1), 0, 1);

    // when
    table.get("w", "a").orElseThrow().put("priority", 99);

    // then
    assertThat(table.get("w", "a")).get().extracting(AgentBinding::getPriority).isEqualTo(1);
  }

  @Test
  void shouldKeepBindingsOfTheSameIdInTwoWorkspacesApart() {
    // when acme and evil each have a binding b1, and evil deletes its own
    table.apply("acme/b1", binding("acme", "b1", 1), 0, 1);
    table.apply("evil/b1", binding("evil", "b1", 2), 0, 2);
    table.apply("evil/b1", null, 0, 3);

    // then acme's stays, and each workspace lists only its own
    assertThat(table.get("acme", "b1")).get().extracting(AgentBinding::getPriority).isEqualTo(1);
    assertThat(table.get("evil", "b1")).isEmpty();
    assertThat(table.list("acme")).extracting(AgentBinding::getPriority).containsExactly(1);
    assertThat(table.list("evil")).isEmpty();
    assertThat(table.list("acm")).isEmpty();
    assertThat(table.size()).isEqualTo(1);
  }
}
