package dev.runledger.worker.execution;

import dev.runledger.schemas.config.LedgerConfig;
import dev.runledger.worker.HostApis;
import dev.runledger.worker.WorkerSettings;
import dev.runledger.worker.control.RunControl;
import dev.runledger.worker.spi.HostApiFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
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
        WorkerSettings.from(LedgerConfig.of(Map.of(WorkerSettings.ID, workerId))));
  }

  private WorkerContext(
      final String workerId,
      final LedgerAppender appender,
      final Clock clock,
      final ScheduledExecutorService timer,
      final WorkerSettings defaults) {
    this(
        workerId,
        appender,
        clock,
        timer,
        RunControl.empty(),
        HostApis.unavailable(),
        defaults.inactivityTimeout(),
        defaults.cancelGrace(),
        Duration.ZERO);
  }
}
