package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.fold.ViewPort;
import dev.runledger.projections.fold.ViewStore;

/**
 * A {@link ViewPort} over stores named as the live topology names them ({@link
 * ProjectionTopology}): the one place that says which store holds which view, for the live
 * processors' stores and the stores {@code ledger rebuild} writes.
 */
public abstract class NamedStorePort implements ViewPort {
  /** The store named {@code name}, holding values of the type its accessor names. */
  protected abstract <V> ViewStore<V> view(String name);

  @Override
  public final ViewStore<AgentRun> runs() {
    return view(ProjectionTopology.RUNS_STORE);
  }

  @Override
  public final ViewStore<AgentRunEvent> runEvents() {
    return view(ProjectionTopology.RUN_EVENTS_STORE);
  }

  @Override
  public final ViewStore<String> runsIndex() {
    return view(ProjectionTopology.RUNS_INDEX_STORE);
  }

  @Override
  public final ViewStore<TranscriptItem> transcript() {
    return view(ProjectionTopology.TRANSCRIPT_STORE);
  }

  @Override
  public final ViewStore<String> transcriptEvents() {
    return view(ProjectionTopology.TRANSCRIPT_EVENTS_STORE);
  }

  @Override
  public final ViewStore<StateEntry> state() {
    return view(ProjectionTopology.STATE_STORE);
  }

  @Override
  public final ViewStore<DispatchDecision> decisions() {
    return view(ProjectionTopology.DECISIONS_STORE);
  }
}
