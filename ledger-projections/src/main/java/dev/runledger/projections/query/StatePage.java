package dev.runledger.projections.query;

import dev.runledger.avro.StateEntry;
import java.util.List;
import java.util.Optional;

/**
 * One page of a state scope's entries, by key.
 *
 * @param items the entries
 * @param nextAfter the key to continue after, when more entries exist
 */
public record StatePage(List<StateEntry> items, Optional<String> nextAfter) {
  public StatePage {
    items = List.copyOf(items);
  }
}
