package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import java.util.List;
import java.util.Optional;

/**
 * One page of runs, newest first.
 *
 * @param items the runs
 * @param nextPosition the index position to continue after, when more runs exist
 */
public record RunPage(List<AgentRun> items, Optional<String> nextPosition) {
  public RunPage {
    items = List.copyOf(items);
  }
}
