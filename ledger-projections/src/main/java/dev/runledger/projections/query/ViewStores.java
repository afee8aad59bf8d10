package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.ProjectionTopology;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The projection stores of one instance, read-only (active partitions only). Any method may throw
 * {@link InvalidStateStoreException} while the stores are not readable.
 */
public interface ViewStores {

  /** The store of that name. */
  <V> ReadOnlyKeyValueStore<String, V> store(String name);

  /** {@value ProjectionTopology#RUNS_STORE}: {@code run_id} → AgentRun. */
  default ReadOnlyKeyValueStore<String, AgentRun> runs() {
    return store(ProjectionTopology.RUNS_STORE);
  }

  /** {@value ProjectionTopology#RUN_EVENTS_STORE}: run-event key → AgentRunEvent. */
  default ReadOnlyKeyValueStore<String, AgentRunEvent> runEvents() {
    return store(ProjectionTopology.RUN_EVENTS_STORE);
  }

  /** {@value ProjectionTopology#DECISIONS_STORE}: {@code event_id} → DispatchDecision. */
  default ReadOnlyKeyValueStore<String, DispatchDecision> decisions() {
    return store(ProjectionTopology.DECISIONS_STORE);
  }

  /** {@value ProjectionTopology#RUNS_INDEX_STORE}: index key → {@code run_id}. */
  default ReadOnlyKeyValueStore<String, String> runsIndex() {
    return store(ProjectionTopology.RUNS_INDEX_STORE);
  }

  /** {@value ProjectionTopology#TRANSCRIPT_STORE}: {@code conversation_id/seq} → item. */
  default ReadOnlyKeyValueStore<String, TranscriptItem> transcript() {
    return store(ProjectionTopology.TRANSCRIPT_STORE);
  }

  /** {@value ProjectionTopology#STATE_STORE}: {@code scope/scope_id/key} → entry. */
  default ReadOnlyKeyValueStore<String, StateEntry> state() {
    return store(ProjectionTopology.STATE_STORE);
  }

  /** The stores of a running Kafka Streams instance ({@code streams} returns null until then). */
  static ViewStores of(final Supplier<KafkaStreams> streams) {
    return new ViewStores() {
      @Override
      public <V> ReadOnlyKeyValueStore<String, V> store(final String name) {
        final KafkaStreams current = streams.get();
        if (current == null) {
          throw new InvalidStateStoreException("the projections have not started yet");
        }
        return current.store(
            StoreQueryParameters.fromNameAndType(
                name, QueryableStoreTypes.<String, V>keyValueStore()));
      }
    };
  }
}
