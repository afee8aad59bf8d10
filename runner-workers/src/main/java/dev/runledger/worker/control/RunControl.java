package dev.runledger.worker.control;

import dev.runledger.avro.CancelRun;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringItem;
import dev.runledger.schemas.topics.CancelMarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker knows from {@code run-control} (contracts C1, C2: ARCHITECTURE.md §12): which runs
 * were cancelled (recorded cancels only, see {@link #apply(RunCommand, Optional)}) and each run's
 * steering items in claim order (the order they reached {@code run-control}; duplicates by {@code
 * source_event_id} are dropped). Every worker keeps this for every run, because it cannot know
 * which run it will claim next, including items that arrived before it claimed the run.
 *
 * <p>Bounded: at most {@code maxRuns} runs are remembered (the least recently touched is forgotten
 * first) and at most {@code maxItemsPerRun} steering items per run (later items are logged and
 * ignored; the orchestrator drops unpulled items when the run ends). Items are never removed by a
 * pull: each attempt keeps its own cursor, so an attempt that takes a run over sees every item
 * again (the superseded attempt's injections are fenced). Thread-safe.
 */
public final class RunControl {
  private static final Logger LOG = LoggerFactory.getLogger(RunControl.class);

  /** {@code requested_by} of the orchestrator's own cancels. */
  private static final String ORCHESTRATOR = "orchestrator";

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

  /** Applies one command the orchestrator recorded, as if marked {@link CancelMarks#REQUESTED}. */
  public void apply(final RunCommand command) {
    apply(command, Optional.of(CancelMarks.REQUESTED));
  }

  /**
   * Applies one command read from {@code run-control} with its {@link CancelMarks} header. StartRun
   * has no business there. A {@code CancelRun} counts only once the orchestrator recorded it
   * (marked, or sent by the orchestrator before cancels were marked): an unmarked one from anyone
   * else is a request the orchestrator still has to record and relay, so acting on it could end the
   * run before its {@code cancel.requested} in ledger order. It is only noted ({@link
   * #awaitRecorded}).
   */
  public void apply(final RunCommand command, final Optional<String> mark) {
    final String runId = command.getRunId();
    if (command.getKind() instanceof CancelRun cancel) {
      final boolean recorded = mark.isPresent() || ORCHESTRATOR.equals(cancel.getRequestedBy());
      synchronized (this) {
        final Entry entry = entry(runId);
        if (!recorded) {
          entry.asked = true;
          LOG.debug(
              "run {}: cancel requested by {}; waits until the orchestrator records it",
              runId,
              cancel.getRequestedBy());
          return;
        }
        if (entry.cancel == null) {
          entry.cancel = cancel;
        }
        // unmarked orchestrator cancels come from before the marks, when it ended unclaimed runs
        entry.ended |= mark.map(CancelMarks.ENDED::equals).orElse(true);
        notifyAll();
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

  /** The run's recorded cancellation, if it was cancelled. */
  public synchronized Optional<CancelRun> cancellation(final String runId) {
    final Entry entry = runs.get(runId);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.cancel);
  }

  /** True when a cancel of the run was read, recorded or only asked for. */
  public synchronized boolean cancelAsked(final String runId) {
    final Entry entry = runs.get(runId);
    return entry != null && (entry.asked || entry.cancel != null);
  }

  /**
   * True when the orchestrator ended the run itself when it cancelled it ({@code run.timed_out}): a
   * worker that claims it writes nothing. Any other recorded cancel is ended by the worker that
   * holds or claims the run ({@code run.failed{cancelled}} without running it).
   */
  public synchronized boolean endedByOrchestrator(final String runId) {
    final Entry entry = runs.get(runId);
    return entry != null && entry.cancel != null && entry.ended;
  }

  /**
   * Waits up to {@code max} while a cancel of the run was asked but not yet recorded, so that a
   * claimed run is not started only to be cancelled a moment later; returns at once otherwise.
   */
  public synchronized void awaitRecorded(final String runId, final Duration max)
      throws InterruptedException {
    final long until = System.nanoTime() + Math.max(0, max.toNanos());
    Entry entry = runs.get(runId);
    while (entry != null && entry.asked && entry.cancel == null) {
      final long left = until - System.nanoTime();
      if (left <= 0) {
        return;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
      entry = runs.get(runId);
    }
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
    private boolean ended;
    private boolean asked;
    private final List<SteeringItem> items = new ArrayList<>();
  }
}
