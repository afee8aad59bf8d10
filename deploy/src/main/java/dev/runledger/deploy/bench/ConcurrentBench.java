package dev.runledger.deploy.bench;

import dev.runledger.avro.HostEvent;
import dev.runledger.deploy.DevStack;
import dev.runledger.orchestrator.dispatch.RunIds;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ledger bench --concurrent N}: N echo runs that each wait {@code --concurrent-hold} on
 * their turn delay, offered at once to the stack's one worker (in this process). While they run it
 * samples, every 250 ms, how many runs the worker executes, this process's live threads and its
 * resident set; it reports the most of each, against what they were before the first run. Every run
 * must end {@code completed}.
 */
public final class ConcurrentBench {
  private static final String BINDING_ID = "bench-concurrent-echo";
  private static final String WORKSPACE = "bench-concurrent";

  private final DevStack stack;
  private final Duration timeout;

  public ConcurrentBench(final DevStack stack, final Duration timeout) {
    this.stack = stack;
    this.timeout = timeout;
  }

  /**
   * Figures of the phase.
   *
   * @param runs runs offered
   * @param holdMillis each run's turn delay
   * @param mostRunning the most runs the worker executed at once
   * @param threadsBefore live threads of this process before the first run
   * @param mostThreads the most live threads while the runs ran
   * @param rssKibBefore resident set before the first run, KiB (-1 where {@code /proc} is missing)
   * @param mostRssKib the largest resident set while the runs ran, KiB
   * @param seconds from the first event produced to the last run readable as terminal
   */
  public record Result(
      int runs,
      long holdMillis,
      int mostRunning,
      int threadsBefore,
      int mostThreads,
      long rssKibBefore,
      long mostRssKib,
      double seconds) {}

  /** Binds the echo runner with the hold as its turn delay. */
  public void bind(final Duration hold) {
    PipelineBench.bindEcho(
        stack, WORKSPACE, BINDING_ID, "{\"turn_delay_ms\":" + hold.toMillis() + "}", timeout);
  }

  /** Offers {@code runs} held runs, each in a conversation of its own, and waits for them. */
  public Result measure(final int runs, final Duration hold) {
    final int threadsBefore = threads();
    final long rssBefore = rssKib();
    final AtomicInteger mostRunning = new AtomicInteger();
    final AtomicInteger mostThreads = new AtomicInteger(threadsBefore);
    final AtomicLong mostRss = new AtomicLong(rssBefore);
    final ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              final Thread thread = new Thread(r, "bench-concurrent-sampler");
              thread.setDaemon(true);
              return thread;
            });
    try (RunWatch watch = new RunWatch(stack)) {
      sampler.scheduleAtFixedRate(
          () -> {
            mostRunning.accumulateAndGet(stack.worker().activeRuns(), Math::max);
            mostThreads.accumulateAndGet(threads(), Math::max);
            mostRss.accumulateAndGet(rssKib(), Math::max);
          },
          0,
          250,
          TimeUnit.MILLISECONDS);
      watch.expect(runs);
      final long began = System.nanoTime();
      for (int i = 0; i < runs; i++) {
        final HostEvent event =
            PipelineBench.message("concurrent-", WORKSPACE, "c-" + i, "held message " + i);
        watch.sending(RunIds.runId(event.getWorkspaceId(), event.getEventId(), BINDING_ID));
        stack.gateway().client().send(event);
      }
      watch.awaitAll(timeout.plus(hold));
      return new Result(
          runs,
          hold.toMillis(),
          mostRunning.get(),
          threadsBefore,
          mostThreads.get(),
          rssBefore,
          mostRss.get(),
          Math.max(0, watch.lastInView() - began) / 1e9);
    } finally {
      sampler.shutdownNow();
    }
  }

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** This process's resident set in KiB from {@code /proc/self/status}; -1 without it. */
  static long rssKib() {
    try {
      for (final String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring("VmRSS:".length()).strip().split("\\s+")[0]);
        }
      }
    } catch (final IOException | NumberFormatException e) {
      // not Linux: no figure
    }
    return -1;
  }
}
