package dev.runledger.worker;

import dev.runledger.worker.spi.HostApiFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every run execution of one worker shares.
 *
 * @param workerId the worker's id, written as {@code producer} and {@code RunClaimed.worker_id}
 * @param appender where ledger records go
 * @param clock record timestamps and deadlines
 * @param timer fires deadlines, inactivity checks and cancel grace periods
 * @param control cancels and steering items read from {@code run-control}
 * @param hostApis builds each attempt's host API
 * @param inactivityTimeout how long a runner may show no activity before it is failed {@code
 *     runner-stalled}
 * @param cancelGrace how long after its run ended a runner that ignores cancellation may keep its
 *     thread before the worker interrupts it again and gives the run slot back
 */
public record WorkerContext(
    String workerId,
    LedgerAppender appender,
    Clock clock,
    ScheduledExecutorService timer,
    RunControl control,
    HostApiFactory hostApis,
    Duration inactivityTimeout,
    Duration cancelGrace,
    Duration deltaCoalesce) {

  /** Defaults for everything but the essentials, without delta coalescing (tests). */
  public WorkerContext(
      final String workerId,
      final LedgerAppender appender,
      final Clock clock,
      final ScheduledExecutorService timer) {
    this(
        workerId,
        appender,
        clock,
        timer,
        RunControl.empty(),
        HostApis.unavailable(),
        Duration.ofMillis(WorkerSettings.DEFAULT_INACTIVITY_TIMEOUT_MS),
        Duration.ofMillis(WorkerSettings.DEFAULT_CANCEL_GRACE_MS),
        Duration.ZERO);
  }
}
