package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringDropped;
import dev.runledger.avro.SteeringItem;
import dev.runledger.avro.SteeringQueued;
import java.time.Instant;

/**
 * One step of {@link DispatchPolicy} over one conversation: the working copy it changes, the
 * conversation's routing key, the time of the step and the {@link Effects} it collects. Each method
 * names one thing that happens to a run and makes both its state change and its writes; every
 * attempt-0 record it appends takes the run's next orchestrator sequence ({@link
 * Conversation.Run#takeSequence}), so the sequence stays gapless.
 */
final class ConversationStep {
  private static final String RUN_FAILED = "run.failed";

  private final Conversation state;
  private final String routingKey;
  private final Instant now;
  private final Effects out = new Effects();

  ConversationStep(final Conversation state, final String routingKey, final Instant now) {
    this.state = state;
    this.routingKey = routingKey;
    this.now = now;
  }

  Conversation state() {
    return state;
  }

  Instant now() {
    return now;
  }

  /** What the step writes. */
  Effects effects() {
    return out;
  }

  void decide(final DispatchDecision decision) {
    out.decide(decision);
  }

  /** Run {@code created} goes live: its {@code RunCreated}, {@code StartRun} and deadline. */
  Conversation.Run start(final RunDecider.CreatedRun created) {
    final Conversation.Run run = Conversation.Run.startedBy(created);
    state.add(run);
    out.start(created, routingKey);
    return run;
  }

  /** {@code item} is steered into {@code run}: {@code SteeringQueued} and {@code SteerRun}. */
  void steer(final Conversation.Run run, final SteeringItem item) {
    append(run, SteeringQueued.newBuilder().setItem(item).build());
    out.control(
        RunCommand.newBuilder()
            .setRunId(run.getRunId())
            .setKind(SteerRun.newBuilder().setItem(item).build())
            .build());
  }

  /** {@code run} ended without pulling the steered event {@code eventId}. */
  void dropSteering(final Conversation.Run run, final String eventId) {
    append(
        run,
        SteeringDropped.newBuilder()
            .setSourceEventId(eventId)
            .setReason(DispatchPolicy.RUN_ENDED)
            .build());
  }

  /** The orchestrator cancels {@code run} because a newer event supersedes it. */
  void supersede(final Conversation.Run run) {
    recordCancel(run, DispatchPolicy.SUPERSEDED, DispatchPolicy.ORCHESTRATOR, run.getClaimed());
    out.control(cancelRun(run, DispatchPolicy.SUPERSEDED));
  }

  /**
   * {@code requestedBy} asked to cancel {@code run} on {@code run-control} (so no {@code CancelRun}
   * is sent again); {@code claimedElsewhere} when the run tracker saw a worker claim it.
   */
  void cancelAsked(
      final Conversation.Run run,
      final String reason,
      final String requestedBy,
      final boolean claimedElsewhere) {
    recordCancel(run, reason, requestedBy, run.getClaimed() || claimedElsewhere);
  }

  /**
   * {@code run}'s deadline passed: {@code RunTimedOut} and {@code CancelRun{timeout}}. The run ends
   * for the conversation when the ledger's {@code RunTimedOut} comes back as an ENDED notice.
   */
  void timeOut(final Conversation.Run run) {
    run.markTimedOut();
    run.markCancelling();
    append(
        run,
        RunTimedOut.newBuilder().setDeadlineAt(Instant.ofEpochMilli(run.getDeadlineMs())).build());
    out.control(cancelRun(run, DispatchPolicy.TIMEOUT));
  }

  /** {@code run} ended: it is no longer live and its deadline goes. */
  void end(final Conversation.Run run) {
    state.remove(run);
    out.deadlineRemoved(run.getRunId(), run.getDeadlineMs(), routingKey);
  }

  /**
   * Records a cancel of {@code run}: {@code CancelRequested}, plus {@code run.failed{cancelled}}
   * when no worker has {@code claimed} the run, which ends it.
   */
  private void recordCancel(
      final Conversation.Run run,
      final String reason,
      final String requestedBy,
      final boolean claimed) {
    run.markCancelling();
    append(run, CancelRequested.newBuilder().setReason(reason).setRequestedBy(requestedBy).build());
    if (claimed) {
      return;
    }
    final String error =
        "cancelled ("
            + reason
            + ", requested by "
            + requestedBy
            + ") before any worker claimed the run";
    append(
        run,
        AgentRunResult.newBuilder()
            .setType(RUN_FAILED)
            .setPayload(
                RunFailed.newBuilder()
                    .setCode(DispatchPolicy.CANCELLED)
                    .setError(error)
                    .setRetryable(false)
                    .build())
            .build());
  }

  /** Appends {@code body} to {@code run}'s ledger at attempt 0 and the run's next sequence. */
  private void append(final Conversation.Run run, final Object body) {
    final long sequence = run.takeSequence();
    out.append(
        LedgerRecord.newBuilder()
            .setRunId(run.getRunId())
            .setAttempt(0)
            .setSequence(sequence)
            .setTimestamp(now)
            .setProducer(DispatchPolicy.ORCHESTRATOR)
            .setConversationKey(conversationKey(run))
            .setBody(body)
            .build());
  }

  /** The conversation key of {@code run}'s records: the routing key unless it is the event id. */
  private String conversationKey(final Conversation.Run run) {
    return routingKey.equals(run.getEventId()) ? null : routingKey;
  }

  private static RunCommand cancelRun(final Conversation.Run run, final String reason) {
    return RunCommand.newBuilder()
        .setRunId(run.getRunId())
        .setKind(
            CancelRun.newBuilder()
                .setReason(reason)
                .setRequestedBy(DispatchPolicy.ORCHESTRATOR)
                .build())
        .build();
  }
}
