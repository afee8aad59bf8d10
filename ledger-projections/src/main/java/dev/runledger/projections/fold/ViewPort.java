package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;

/**
 * The view stores a {@link Projector} writes. An implementation may open a store only when it is
 * asked for, so that a live processor that holds only some of them can still project into those.
 */
public interface ViewPort {
  /** {@code run_id} → the run's view. */
  ViewStore<AgentRun> runs();

  /** {@link RunEventKeys run-event key} → event. */
  ViewStore<AgentRunEvent> runEvents();

  /** {@link ViewKeys#indexKeys index key} → {@code run_id}. */
  ViewStore<String> runsIndex();

  /** {@code conversation_id/seq} → item. */
  ViewStore<TranscriptItem> transcript();

  /** {@link ViewKeys#transcriptEvent transcript event key} → key of the event's item. */
  ViewStore<String> transcriptEvents();

  /** {@code scope/scope_id/key} → entry. */
  ViewStore<StateEntry> state();

  /** {@code event_id} → decision. */
  ViewStore<DispatchDecision> decisions();
}
