package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of folding one ledger record: the new view of the run, the event to append (when the
 * record was applied) and what happened.
 *
 * @param run the run view after the record; always returned, since counters change even when a
 *     record is not applied
 * @param event the event to append under the run's next {@code seq}, if any
 * @param outcome what the fold did with the record
 */
public record FoldResult(AgentRun run, Optional<AgentRunEvent> event, FoldOutcome outcome) {
  public FoldResult {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(outcome, "outcome");
  }

  static FoldResult appended(
      final AgentRun run, final AgentRunEvent event, final FoldOutcome outcome) {
    return new FoldResult(run, Optional.of(event), outcome);
  }

  static FoldResult counted(final AgentRun run, final FoldOutcome outcome) {
    return new FoldResult(run, Optional.empty(), outcome);
  }
}
