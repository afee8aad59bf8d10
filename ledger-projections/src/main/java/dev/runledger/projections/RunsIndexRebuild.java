package dev.runledger.projections;

import dev.runledger.avro.AgentRun;
import dev.runledger.projections.fold.ViewKeys;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a task's {@code runs-index} from its {@code runs} store when the task starts. The index
 * is derived from the runs alone ({@link ViewKeys#indexKeys}), so it keeps no changelog of its own:
 * its status keys move with every run, and their puts and deletes were a fifth of every Kafka
 * record a run wrote. An unlogged store may hold writes of a transaction that was later aborted, so
 * whatever it holds is cleared before the rebuild, in batches so that no iterator is open while its
 * store is written.
 */
final class RunsIndexRebuild {
  private static final Logger LOG = LoggerFactory.getLogger(RunsIndexRebuild.class);
  private static final int BATCH = 10_000;

  private RunsIndexRebuild() {}

  /**
   * Clears {@code index} and puts every index key of every run in {@code runs}.
   *
   * @return the number of runs indexed
   */
  static long rebuild(
      final KeyValueStore<String, AgentRun> runs, final KeyValueStore<String, String> index) {
    final long started = System.nanoTime();
    final long cleared = clear(index);
    long indexed = 0;
    try (KeyValueIterator<String, AgentRun> all = runs.all()) {
      while (all.hasNext()) {
        final AgentRun run = all.next().value;
        for (final String key : ViewKeys.indexKeys(run)) {
          index.put(key, run.getRunId());
        }
        indexed++;
      }
    }
    if (indexed > 0 || cleared > 0) {
      LOG.info(
          "runs-index rebuilt from {} runs ({} stale keys cleared) in {} ms",
          indexed,
          cleared,
          (System.nanoTime() - started) / 1_000_000);
    }
    return indexed;
  }

  private static long clear(final KeyValueStore<String, String> index) {
    long cleared = 0;
    List<String> batch;
    do {
      batch = new ArrayList<>(BATCH);
      try (KeyValueIterator<String, String> all = index.all()) {
        while (all.hasNext() && batch.size() < BATCH) {
          final KeyValue<String, String> next = all.next();
          batch.add(next.key);
        }
      }
      batch.forEach(index::delete);
      cleared += batch.size();
    } while (batch.size() == BATCH);
    return cleared;
  }
}
