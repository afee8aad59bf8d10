package dev.runledger.projections.fold;

import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import java.util.Objects;
import java.util.Optional;

/**
 * What one ledger record did to its run's views, and what it passes on to the views kept by
 * conversation and by state scope (the live topology repartitions those first; rebuild applies them
 * at once with {@link Projector#transcript} and {@link Projector#state}).
 *
 * @param fold the fold of the record into the run
 * @param message the assistant message of an applied {@code message.completed}, not yet numbered
 * @param stateUpdate the state update of an applied {@code state.updated}
 * @param delivers true when the record is an applied result of a run with a conversation, so the
 *     deliveries carry it
 */
public record Projection(
    FoldResult fold,
    Optional<TranscriptItem> message,
    Optional<StateEntry> stateUpdate,
    boolean delivers) {
  public Projection {
    Objects.requireNonNull(fold, "fold");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(stateUpdate, "stateUpdate");
  }
}
