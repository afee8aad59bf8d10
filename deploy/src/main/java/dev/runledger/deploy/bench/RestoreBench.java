package dev.runledger.deploy.bench;

import dev.runledger.deploy.DevStack;
import dev.runledger.deploy.Directories;
import dev.runledger.projections.ProjectionService;
import dev.runledger.projections.RestoreProgress;
import dev.runledger.schemas.config.LedgerConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * The projections' restore rate: the stack's projections are closed, and a new instance of the same
 * application starts on an empty state directory, so every store is restored from its changelog
 * before it runs (as after a lost disk, or on a new machine). Leaves the stack without projections:
 * run it last.
 *
 * @param records changelog records restored
 * @param seconds from the first store's restore start to the last one's end
 * @param recordsPerSecond {@code records / seconds}
 * @param secondsToRunning from starting the instance to RUNNING
 */
public record RestoreBench(
    long records, double seconds, double recordsPerSecond, double secondsToRunning) {

  /** Restores the stack's projections into a fresh state directory and times it. */
  public static RestoreBench measure(final DevStack stack) {
    stack.projections().close();
    final Path state = Directories.temporary("runledger-bench-restore");
    try {
      final LedgerConfig config =
          stack.config().with(Map.of(LedgerConfig.STATE_DIR, state.toString()));
      final long began = System.nanoTime();
      try (ProjectionService restored = new ProjectionService(config, stack.topics())) {
        restored.start();
        final double toRunning = (System.nanoTime() - began) / 1e9;
        final RestoreProgress progress = restored.restores();
        final double seconds = progress.seconds();
        return new RestoreBench(
            progress.records(),
            seconds,
            seconds > 0 ? progress.records() / seconds : Double.NaN,
            toRunning);
      }
    } finally {
      Directories.deleteRecursively(state);
    }
  }
}
