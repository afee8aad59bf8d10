package dev.runledger.projections;

import dev.runledger.avro.StateEntry;
import dev.runledger.projections.fold.ViewFolds;
import dev.runledger.projections.fold.ViewKeys;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/** Applies state updates ({@link ViewFolds#applyState}) to the {@code state} store. */
final class StateProcessor implements Processor<String, StateEntry, Void, Void> {
  private KeyValueStore<String, StateEntry> state;

  @Override
  public void init(final ProcessorContext<Void, Void> context) {
    this.state = context.getStateStore(ProjectionTopology.STATE_STORE);
  }

  @Override
  public void process(final Record<String, StateEntry> record) {
    final StateEntry update = record.value();
    final String key = ViewKeys.state(update.getScope(), update.getScopeId(), update.getKey());
    final Optional<StateEntry> next = ViewFolds.applyState(state.get(key), update);
    if (next.isPresent()) {
      state.put(key, next.get());
    } else {
      state.delete(key);
    }
  }
}
