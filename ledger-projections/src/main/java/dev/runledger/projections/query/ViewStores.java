package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.projections.ProjectionTopology;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The projection stores of one instance, read-only. Any method may throw {@link
 * InvalidStateStoreException} while the stores are not readable.
 */
public interface ViewStores {

  /** {@value ProjectionTopology#RUNS_STORE}: {@code run_id} → AgentRun. */
  ReadOnlyKeyValueStore<String, AgentRun> runs();

  /** {@value ProjectionTopology#RUN_EVENTS_STORE}: run-event key → AgentRunEvent. */
  ReadOnlyKeyValueStore<String, AgentRunEvent> runEvents();

  /** {@value ProjectionTopology#DECISIONS_STORE}: {@code event_id} → DispatchDecision. */
  ReadOnlyKeyValueStore<String, DispatchDecision> decisions();

  /** The stores of a running Kafka Streams instance ({@code streams} returns null until then). */
  static ViewStores of(final Supplier<KafkaStreams> streams) {
    return new ViewStores() {
      @Override
      public ReadOnlyKeyValueStore<String, AgentRun> runs() {
        return store(ProjectionTopology.RUNS_STORE);
      }

      @Override
      public ReadOnlyKeyValueStore<String, AgentRunEvent> runEvents() {
        return store(ProjectionTopology.RUN_EVENTS_STORE);
      }

      @Override
      public ReadOnlyKeyValueStore<String, DispatchDecision> decisions() {
        return store(ProjectionTopology.DECISIONS_STORE);
      }

      private <V> ReadOnlyKeyValueStore<String, V> store(final String name) {
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
