package dev.runledger.gateway;

import dev.runledger.avro.AgentBinding;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The current bindings by id, as written to the bindings topic. Each entry remembers the partition
 * and offset it came from and a record with an older offset never replaces a newer one, so a write
 * the gateway applied itself as soon as Kafka acknowledged it (read-your-writes) is not undone when
 * the consumer later reads an older record of the same binding. Deletions are kept as tombstone
 * entries for the same reason. Thread-safe; returns copies.
 */
public final class BindingTable {
  private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * Applies a record of the bindings topic: a binding, or a tombstone when {@code binding} is null.
   */
  public void apply(
      final String bindingId, final AgentBinding binding, final int partition, final long offset) {
    entries.compute(
        bindingId,
        (id, current) ->
            current != null && current.partition() == partition && current.offset() > offset
                ? current
                : new Entry(binding, partition, offset));
  }

  /** The binding with this id, if it exists. */
  public Optional<AgentBinding> get(final String bindingId) {
    final Entry entry = entries.get(bindingId);
    return entry == null || entry.binding() == null
        ? Optional.empty()
        : Optional.of(copy(entry.binding()));
  }

  /** Every binding, ordered by binding id. */
  public List<AgentBinding> list() {
    return entries.values().stream()
        .map(Entry::binding)
        .filter(binding -> binding != null)
        .sorted(Comparator.comparing(AgentBinding::getBindingId))
        .map(BindingTable::copy)
        .toList();
  }

  private static AgentBinding copy(final AgentBinding binding) {
    return AgentBinding.newBuilder(binding).build();
  }

  private record Entry(AgentBinding binding, int partition, long offset) {}
}
