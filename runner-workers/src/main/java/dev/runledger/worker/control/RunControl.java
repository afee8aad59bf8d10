package dev.runledger.worker.control;

import dev.runledger.avro.CancelRun;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringItem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker knows from {@code run-control} (contracts C1, C2: ARCHITECTURE.md §12): which runs
 * were cancelled and each run's steering items in claim order (the order they reached {@code
 * run-control}; duplicates by {@code source_event_id} are dropped). Every worker keeps this for
 * every run, because it cannot know which run it will claim next, including items that arrived
 * before it claimed the run.
 *
 * <p>Bounded: at most {@code maxRuns} runs are remembered (the least recently touched is forgotten
 * first) and at most {@code maxItemsPerRun} steering items per run (later items are logged and
 * ignored; the orchestrator drops unpulled items when the run ends). Items are never removed by a
 * pull: each attempt keeps its own cursor, so an attempt that takes a run over sees every item
 * again (the superseded attempt's injections are fenced). Thread-safe.
 */
public final class RunControl {
  private static final Logger LOG = LoggerFactory.getLogger(RunControl.class);

  private final int maxRuns;
  private final int maxItemsPerRun;
  private final Map<String, Entry> runs;
  private final List<BiConsumer<String, CancelRun>> cancelListeners = new CopyOnWriteArrayList<>();
  private final List<BiConsumer<String, SteeringItem>> steeringListeners =
      new CopyOnWriteArrayList<>();

  public RunControl(final int maxRuns, final int maxItemsPerRun) {
    if (maxRuns < 1 || maxItemsPerRun < 1) {
      throw new IllegalArgumentException("run-control bounds must be >= 1");
    }
    this.maxRuns = maxRuns;
    this.maxItemsPerRun = maxItemsPerRun;
    this.runs =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(final Map.Entry<String, Entry> eldest) {
            return size() > RunControl.this.maxRuns;
          }
        };
  }

  /** An empty, unbounded-enough state for tests and for workers without a reader. */
  public static RunControl empty() {
    return new RunControl(10_000, 1_000);
  }

  /** Called (on the reader's thread) for every CancelRun read. */
  public void onCancel(final BiConsumer<String, CancelRun> listener) {
    cancelListeners.add(listener);
  }

  /** Called (on the reader's thread) for every new steering item read. */
  public void onSteering(final BiConsumer<String, SteeringItem> listener) {
    steeringListeners.add(listener);
  }

  /** Applies one command read from {@code run-control}. StartRun has no business there. */
  public void apply(final RunCommand command) {
    final String runId = command.getRunId();
    if (command.getKind() instanceof CancelRun cancel) {
      synchronized (this) {
        final Entry entry = entry(runId);
        if (entry.cancel == null) {
          entry.cancel = cancel;
        }
      }
      cancelListeners.forEach(listener -> listener.accept(runId, cancel));
    } else if (command.getKind() instanceof SteerRun steer) {
      final SteeringItem item = steer.getItem();
      synchronized (this) {
        final Entry entry = entry(runId);
        if (entry.items.stream()
            .anyMatch(i -> i.getSourceEventId().equals(item.getSourceEventId()))) {
          return;
        }
        if (entry.items.size() >= maxItemsPerRun) {
          LOG.warn(
              "run {} has {} steering items queued already; item {} is ignored",
              runId,
              maxItemsPerRun,
              item.getSourceEventId());
          return;
        }
        entry.items.add(item);
      }
      steeringListeners.forEach(listener -> listener.accept(runId, item));
    } else {
      LOG.warn(
          "{} for run {} on run-control is ignored: only CancelRun and SteerRun belong there",
          command.getKind().getClass().getSimpleName(),
          runId);
    }
  }

  /** The run's cancellation, if it was cancelled. */
  public synchronized Optional<CancelRun> cancellation(final String runId) {
    final Entry entry = runs.get(runId);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.cancel);
  }

  /** The run's steering items from index {@code from} on, in claim order. */
  public synchronized List<SteeringItem> steering(final String runId, final int from) {
    final Entry entry = runs.get(runId);
    if (entry == null || from >= entry.items.size()) {
      return List.of();
    }
    return List.copyOf(entry.items.subList(from, entry.items.size()));
  }

  /** Runs remembered now. */
  public synchronized int size() {
    return runs.size();
  }

  private Entry entry(final String runId) {
    return runs.computeIfAbsent(runId, id -> new Entry());
  }

  /** One run's control state. */
  private static final class Entry {
    private CancelRun cancel;
    private final List<SteeringItem> items = new ArrayList<>();
  }
}
