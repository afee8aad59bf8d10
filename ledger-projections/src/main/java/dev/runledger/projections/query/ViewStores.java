package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunEvent;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import dev.runledger.projections.ProjectionTopology;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The projection stores of one instance, read-only (active partitions only). Any method may throw
 * {@link InvalidStateStoreException} while the stores are not readable.
 */
public interface ViewStores {

  /** The store of that name (over every partition this instance runs). */
  <V> ReadOnlyKeyValueStore<String, V> store(String name);

  /**
   * The store of that name, one per partition this instance runs, so that each can be iterated in
   * key order (the store of {@link #store} iterates its partitions one after the other). By default
   * the one {@link #store}, for stores of a single partition.
   */
  default <V> List<ReadOnlyKeyValueStore<String, V>> partitions(final String name) {
    return List.of(store(name));
  }

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

  /**
   * {@value ProjectionTopology#RUNS_INDEX_STORE}, one store per partition ({@link #partitions}).
   */
  default List<ReadOnlyKeyValueStore<String, String>> runsIndexPartitions() {
    return partitions(ProjectionTopology.RUNS_INDEX_STORE);
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

      /**
       * One store per partition of this instance's active tasks that holds {@code name} (a task of
       * another sub-topology with the same partition number holds none and is skipped).
       */
      @Override
      public <V> List<ReadOnlyKeyValueStore<String, V>> partitions(final String name) {
        final KafkaStreams current = streams.get();
        if (current == null) {
          throw new InvalidStateStoreException("the projections have not started yet");
        }
        if (current.state() != KafkaStreams.State.RUNNING) {
          throw new InvalidStateStoreException(
              "the projections are " + current.state() + ", not RUNNING");
        }
        final Set<Integer> numbers = new TreeSet<>();
        for (final ThreadMetadata thread : current.metadataForLocalThreads()) {
          for (final TaskMetadata task : thread.activeTasks()) {
            numbers.add(task.taskId().partition());
          }
        }
        final List<ReadOnlyKeyValueStore<String, V>> stores = new ArrayList<>();
        for (final int partition : numbers) {
          try {
            final ReadOnlyKeyValueStore<String, V> store =
                current.store(
                    StoreQueryParameters.fromNameAndType(
                            name, QueryableStoreTypes.<String, V>keyValueStore())
                        .withPartition(partition));
            // the store is found lazily: this throws when no task of the partition holds it here
            store.approximateNumEntries();
            stores.add(store);
          } catch (final InvalidStateStoreException e) {
            if (current.state() != KafkaStreams.State.RUNNING) {
              throw e;
            }
            // no task of this partition holds the store here
          }
        }
        return stores;
      }
    };
  }
}
