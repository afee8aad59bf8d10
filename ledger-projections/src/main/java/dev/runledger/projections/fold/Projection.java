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

  /**
   * Where a projection's passed-on records go: the live topology repartitions the transcript item
   * and the state update and delivers the result; a rebuild applies the first two at once and has
   * no deliveries.
   */
  public interface Downstream {
    /** The transcript item, for its conversation ({@link Projector#conversationKey}). */
    void transcript(TranscriptItem item);

    /** The state update, for its scope ({@link Projector#stateOwner}). */
    void state(StateEntry update);

    /** The applied result the deliveries carry; nothing by default. */
    default void delivery() {}
  }

  /** Hands on this projection's message, state update and delivery, in that order. */
  public void passOn(final Downstream downstream) {
    message.ifPresent(downstream::transcript);
    stateUpdate.ifPresent(downstream::state);
    if (delivers) {
      downstream.delivery();
    }
  }
}
