package dev.runledger.gateway.registry;

import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.WorkerHeartbeat;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runners and workers as the {@code runners} and {@code workers} topics describe them: the
 * latest manifest of each runner and the latest heartbeat of each worker. A worker is live while it
 * has not left (a tombstone on {@code workers}, written on clean close) and its last heartbeat is
 * at most {@link RegistrySettings#liveWindow()} old; a worker that is not live stays listed until
 * its last heartbeat is {@link RegistrySettings#goneRetention()} old, then it is dropped. Both maps
 * are bounded ({@link RegistrySettings#maxWorkers()}, {@link RegistrySettings#maxRunners()}). The
 * time is always passed in, so the rules are plain functions of the records and {@code now}.
 * Thread-safe; returns copies.
 */
public final class WorkerRegistry {
  private final RegistrySettings settings;
  private final Map<String, RunnerManifest> runners = new LinkedHashMap<>();
  private final Map<String, Seen> workers = new HashMap<>();
  private long evicted;

  /** A worker's last heartbeat and whether it has left since. */
  private record Seen(WorkerHeartbeat heartbeat, boolean left) {}

  /**
   * A worker as {@code GET /v1/workers} lists it.
   *
   * @param heartbeat its last heartbeat
   * @param live whether it has not left and its last heartbeat is recent enough
   */
  public record WorkerState(WorkerHeartbeat heartbeat, boolean live) {
    /** Slots not taken by a run, never negative. */
    public int freeSlots() {
      return Math.max(0, heartbeat.getSlots() - heartbeat.getActiveRuns());
    }
  }

  /**
   * A runner as {@code GET /v1/runners} lists it.
   *
   * @param manifest its latest manifest
   * @param workers the listed workers whose heartbeat names it, by worker id
   */
  public record RunnerState(RunnerManifest manifest, List<WorkerState> workers) {}

  public WorkerRegistry(final RegistrySettings settings) {
    this.settings = settings;
  }

  /**
   * Applies a record of {@code runners}: a manifest, or a tombstone when {@code manifest} is null.
   */
  public synchronized void manifest(final String runnerId, final RunnerManifest manifest) {
    if (manifest == null) {
      runners.remove(runnerId);
      return;
    }
    runners.put(runnerId, RunnerManifest.newBuilder(manifest).build());
    final Iterator<String> oldest = runners.keySet().iterator();
    while (runners.size() > settings.maxRunners()) {
      oldest.next();
      oldest.remove();
      evicted++;
    }
  }

  /**
   * Applies a record of {@code workers}: a heartbeat, or a tombstone (the worker left) when {@code
   * heartbeat} is null. A heartbeat older than the one kept is ignored; a tombstone of a worker not
   * kept is too.
   */
  public synchronized void heartbeat(
      final String workerId, final WorkerHeartbeat heartbeat, final Instant now) {
    final Seen current = workers.get(workerId);
    if (heartbeat == null) {
      if (current != null) {
        workers.put(workerId, new Seen(current.heartbeat(), true));
      }
      return;
    }
    if (current != null && current.heartbeat().getLastSeenAt().isAfter(heartbeat.getLastSeenAt())) {
      return;
    }
    if (expired(heartbeat, now)) {
      return;
    }
    workers.put(workerId, new Seen(WorkerHeartbeat.newBuilder(heartbeat).build(), false));
    if (workers.size() > settings.maxWorkers()) {
      dropExpired(now);
    }
    while (workers.size() > settings.maxWorkers()) {
      workers.values().stream()
          .min(Comparator.comparing(seen -> seen.heartbeat().getLastSeenAt()))
          .ifPresent(seen -> workers.remove(seen.heartbeat().getWorkerId()));
      evicted++;
    }
  }

  /** The live and recently gone workers at {@code now}, by worker id. */
  public synchronized List<WorkerState> workers(final Instant now) {
    dropExpired(now);
    return workers.values().stream()
        .map(seen -> state(seen, now))
        .sorted(Comparator.comparing(w -> w.heartbeat().getWorkerId()))
        .toList();
  }

  /** Every runner at {@code now}, by runner id, each with the listed workers that host it. */
  public synchronized List<RunnerState> runners(final Instant now) {
    final List<WorkerState> listed = workers(now);
    final List<RunnerState> states = new ArrayList<>(runners.size());
    runners.values().stream()
        .sorted(Comparator.comparing(RunnerManifest::getRunnerId))
        .forEach(
            manifest ->
                states.add(
                    new RunnerState(
                        RunnerManifest.newBuilder(manifest).build(),
                        listed.stream()
                            .filter(
                                w -> w.heartbeat().getRunnerIds().contains(manifest.getRunnerId()))
                            .toList())));
    return states;
  }

  /** How many entries were dropped to keep within the bounds. */
  public synchronized long evicted() {
    return evicted;
  }

  private WorkerState state(final Seen seen, final Instant now) {
    final Instant deadline = seen.heartbeat().getLastSeenAt().plus(settings.liveWindow());
    return new WorkerState(
        WorkerHeartbeat.newBuilder(seen.heartbeat()).build(),
        !seen.left() && !now.isAfter(deadline));
  }

  private boolean expired(final WorkerHeartbeat heartbeat, final Instant now) {
    return now.isAfter(heartbeat.getLastSeenAt().plus(settings.goneRetention()));
  }

  private void dropExpired(final Instant now) {
    workers.values().removeIf(seen -> expired(seen.heartbeat(), now));
  }
}
