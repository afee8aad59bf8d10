package dev.runledger.worker;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every run execution of one worker shares.
 *
 * @param workerId the worker's id, written as {@code producer} and {@code RunClaimed.worker_id}
 * @param appender where ledger records go
 * @param clock record timestamps and deadlines
 * @param timer fires deadlines
 */
public record WorkerContext(
    String workerId, LedgerAppender appender, Clock clock, ScheduledExecutorService timer) {}
