package dev.runledger.gateway;

import dev.runledger.avro.AgentBinding;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The current bindings by their key on the bindings topic, {@code workspace_id/binding_id} ({@link
 * WorkspaceKeys}): binding ids are unique only inside a workspace. Each entry remembers the
 * partition and offset it came from and a record with an older offset never replaces a newer one,
 * so a write the gateway applied itself as soon as Kafka acknowledged it (read-your-writes) is not
 * undone when the consumer later reads an older record of the same binding. Deletions are kept as
 * tombstone entries for the same reason. Thread-safe; returns copies.
 */
public final class BindingTable {
  private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * Applies a record of the bindings topic under its key {@code workspace_id/binding_id}: a
   * binding, or a tombstone when {@code binding} is null.
   */
  public void apply(
      final String key, final AgentBinding binding, final int partition, final long offset) {
    entries.compute(
        key,
        (k, current) ->
            current != null && current.partition() == partition && current.offset() > offset
                ? current
                : new Entry(binding, partition, offset));
  }

  /** The binding {@code bindingId} of workspace {@code workspaceId}, if it exists. */
  public Optional<AgentBinding> get(final String workspaceId, final String bindingId) {
    final Entry entry = entries.get(WorkspaceKeys.key(workspaceId, bindingId));
    return entry == null || entry.binding() == null
        ? Optional.empty()
        : Optional.of(copy(entry.binding()));
  }

  /** Every binding of workspace {@code workspaceId}, ordered by binding id. */
  public List<AgentBinding> list(final String workspaceId) {
    final String prefix = WorkspaceKeys.key(workspaceId, "");
    return entries.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .map(Map.Entry::getValue)
        .map(Entry::binding)
        .filter(binding -> binding != null)
        .sorted(Comparator.comparing(AgentBinding::getBindingId))
        .map(BindingTable::copy)
        .toList();
  }

  /** How many bindings there are, in every workspace. */
  public long size() {
    return entries.values().stream().filter(e -> e.binding() != null).count();
  }

  private static AgentBinding copy(final AgentBinding binding) {
    return AgentBinding.newBuilder(binding).build();
  }

  private record Entry(AgentBinding binding, int partition, long offset) {}
}
