package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;

/** Every view in a {@link MemoryStore}: the port of the fold tests. */
public record MemoryViews(
    MemoryStore<AgentRun> runs,
    MemoryStore<AgentRunEvent> runEvents,
    MemoryStore<String> runsIndex,
    MemoryStore<TranscriptItem> transcript,
    MemoryStore<String> transcriptEvents,
    MemoryStore<StateEntry> state,
    MemoryStore<DispatchDecision> decisions)
    implements ViewPort {
  /** Empty views. */
  public MemoryViews() {
    this(
        new MemoryStore<>(),
        new MemoryStore<>(),
        new MemoryStore<>(),
        new MemoryStore<>(),
        new MemoryStore<>(),
        new MemoryStore<>(),
        new MemoryStore<>());
  }
}
