package dev.runledger.gateway;

import dev.runledger.avro.AgentBinding;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The current bindings by their key on the bindings topic, {@code workspace_id/binding_id} ({@link
 * WorkspaceKeys}): binding ids are unique only inside a workspace. Each entry remembers the
 * partition and offset it came from and a record with an older offset never replaces a newer one,
 * so a write the gateway applied itself as soon as Kafka acknowledged it (read-your-writes) is not
 * undone when the consumer later reads an older record of the same binding. Deletions are kept as
 * tombstone entries for the same reason. Kept sorted by key, so a workspace's bindings are read in
 * pages by binding id. Thread-safe; returns copies.
 */
public final class BindingTable {
  private final ConcurrentNavigableMap<String, Entry> entries = new ConcurrentSkipListMap<>();

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
    return page(workspaceId, null, Integer.MAX_VALUE);
  }

  /**
   * Up to {@code max} bindings of workspace {@code workspaceId} whose id sorts after {@code
   * afterId} (null: from the first), ordered by binding id. The entries are kept by key, and a
   * workspace's keys share the prefix {@code workspace_id/}, so this reads only the workspace's
   * entries from {@code afterId} on, and stops after {@code max}.
   */
  public List<AgentBinding> page(final String workspaceId, final String afterId, final int max) {
    final String prefix = WorkspaceKeys.key(workspaceId, "");
    final List<AgentBinding> page = new ArrayList<>();
    final Iterable<Map.Entry<String, Entry>> from =
        afterId == null
            ? entries.tailMap(prefix, true).entrySet()
            : entries.tailMap(WorkspaceKeys.key(workspaceId, afterId), false).entrySet();
    for (final Map.Entry<String, Entry> e : from) {
      if (page.size() >= max || !e.getKey().startsWith(prefix)) {
        break;
      }
      if (e.getValue().binding() != null) {
        page.add(copy(e.getValue().binding()));
      }
    }
    return page;
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
