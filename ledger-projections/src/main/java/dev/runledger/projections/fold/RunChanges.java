package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.LivenessPhase;
import dev.runledger.avro.LivenessView;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunError;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunLiveness;
import dev.runledger.avro.RunStatus;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.SteeringCounts;
import dev.runledger.avro.SteeringDropped;
import dev.runledger.avro.SteeringInjected;
import dev.runledger.avro.SteeringQueued;
import dev.runledger.avro.UnknownResult;
import java.time.Instant;

/**
 * How one accepted ledger record changes a run's view (the "apply" half of {@link RunFold}). Only
 * called for records that passed the fold's guards. A terminal status is never left: records after
 * the end still update counters and the current attempt, not the status.
 */
final class RunChanges {
  /** {@code run.failed} code that means the run was cancelled, not failed. */
  static final String CANCELLED_CODE = "cancelled";

  /** Error code of a run whose deadline passed. */
  static final String DEADLINE_CODE = "deadline_exceeded";

  private RunChanges() {}

  static FoldOutcome apply(final AgentRun.Builder run, final LedgerRecord record) {
    if (record.getAttempt() > run.getAttempt()) {
      startAttempt(run, record);
    }
    final Object body = record.getBody();
    final Instant at = record.getTimestamp();
    if (body instanceof RunCreated created) {
      created(run, created, at);
    } else if (body instanceof RunClaimed claimed) {
      run.setWorkerId(claimed.getWorkerId()).setClaimedAt(at);
      toStatus(run, RunStatus.RUNNING);
      // v2 claims carry the attempt's first phase; older ones are followed by a RunLiveness
      liveness(run, claimed.getPhase(), at);
    } else if (body instanceof RunLiveness liveness) {
      liveness(run, liveness.getPhase(), at);
    } else if (body instanceof AgentRunResult result) {
      return result(run, record, result);
    } else if (body instanceof SteeringQueued) {
      run.setSteering(steering(run).setQueued(run.getSteering().getQueued() + 1).build());
    } else if (body instanceof SteeringInjected) {
      run.setSteering(steering(run).setInjected(run.getSteering().getInjected() + 1).build());
    } else if (body instanceof SteeringDropped) {
      run.setSteering(steering(run).setDropped(run.getSteering().getDropped() + 1).build());
    } else if (body instanceof RunTimedOut timedOut) {
      finish(run, RunStatus.TIMEOUT, at);
      run.setError(
          new RunError(
              DEADLINE_CODE,
              "the run's deadline "
                  + timedOut.getDeadlineAt()
                  + " passed without a terminal record",
              false));
    }
    // CancelRequested and HostApiCall are kept as events and change nothing else.
    return FoldOutcome.APPLIED;
  }

  /** A record of a higher attempt supersedes the current one. */
  private static void startAttempt(final AgentRun.Builder run, final LedgerRecord record) {
    run.setAttempt(record.getAttempt())
        .setWorkerId(record.getProducer())
        .setClaimedAt(record.getTimestamp())
        .setResultCount(0)
        .setLastSequence(0)
        .setLiveness(null);
    if (run.getStartedAt() == null) {
      run.setStartedAt(record.getTimestamp());
    }
    toStatus(run, RunStatus.RUNNING);
  }

  private static void created(
      final AgentRun.Builder run, final RunCreated created, final Instant at) {
    if (run.getCreatedAt() == null) {
      run.setCreatedAt(at)
          .setEventId(created.getEventId())
          .setBindingId(created.getBindingId())
          .setRunnerId(created.getRunnerId())
          .setPool(created.getPool())
          .setWorkspaceId(created.getWorkspaceId())
          .setConversationId(created.getConversationId())
          .setDeadlineAt(created.getDeadlineAt());
    }
    // the StartRun command was sent with RunCreated, so the run is already queued
    if (run.getStatus() == RunStatus.CREATED) {
      run.setStatus(RunStatus.QUEUED);
    }
  }

  private static FoldOutcome result(
      final AgentRun.Builder run, final LedgerRecord record, final AgentRunResult result) {
    final Object payload = result.getPayload();
    if (payload instanceof UnknownResult) {
      run.setInvalidResultCount(run.getInvalidResultCount() + 1);
      return FoldOutcome.UNKNOWN_RESULT;
    }
    if (record.getAttempt() == run.getAttempt()) {
      run.setResultCount(run.getResultCount() + 1);
    }
    if (payload instanceof MessageCompleted completed) {
      run.setFinalMessage(completed.getMessage().getContent());
    } else if (payload instanceof RunCompleted completed) {
      finish(run, RunStatus.COMPLETED, record.getTimestamp());
      if (completed.getMessage() != null) {
        run.setFinalMessage(completed.getMessage().getContent());
      }
    } else if (payload instanceof RunFailed failed) {
      final boolean cancelled = CANCELLED_CODE.equals(failed.getCode());
      finish(run, cancelled ? RunStatus.CANCELLED : RunStatus.FAILED, record.getTimestamp());
      run.setError(new RunError(failed.getCode(), failed.getError(), failed.getRetryable()));
    }
    return FoldOutcome.APPLIED;
  }

  /** The run's phase from {@code at}, unless the run already ended or there is none. */
  private static void liveness(
      final AgentRun.Builder run, final LivenessPhase phase, final Instant at) {
    if (phase != null && !RunFold.isTerminal(run.getStatus())) {
      run.setLiveness(new LivenessView(phase, at));
    }
  }

  private static void finish(final AgentRun.Builder run, final RunStatus status, final Instant at) {
    run.setStatus(status).setFinishedAt(at).setLiveness(null);
  }

  /** Moves to a non-terminal status unless the run already ended. */
  private static void toStatus(final AgentRun.Builder run, final RunStatus status) {
    if (!RunFold.isTerminal(run.getStatus())) {
      run.setStatus(status);
    }
  }

  private static SteeringCounts.Builder steering(final AgentRun.Builder run) {
    return SteeringCounts.newBuilder(run.getSteering());
  }
}
