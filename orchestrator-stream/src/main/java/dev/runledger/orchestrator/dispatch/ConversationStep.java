package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunNoticeKind;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringDropped;
import dev.runledger.avro.SteeringItem;
import dev.runledger.avro.SteeringQueued;
import dev.runledger.schemas.topics.CancelMarks;
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

  /**
   * Run {@code created} starts without a lane: its {@code RunCreated} and {@code StartRun}, and
   * nothing kept here. Nothing in the conversation waits on such a run, so the run tracker holds it
   * from its {@code RunCreated} on ({@link LanelessRuns}): its cancel, deadline and end never come
   * back to the conversation.
   */
  void startLaneless(final RunDecider.CreatedRun created) {
    out.startLaneless(created);
  }

  /**
   * {@code notice} of kind {@code CLAIMED} or {@code CANCEL} arrived for {@code run}: a claim is
   * noted; a cancel not yet under way is recorded and relayed ({@link #cancelAsked}).
   */
  void noticed(final Conversation.Run run, final RunNotice notice) {
    if (notice.getKind() == RunNoticeKind.CLAIMED) {
      run.markClaimed();
    } else if (notice.getKind() == RunNoticeKind.CANCEL && !run.getCancelling()) {
      cancelAsked(
          run,
          orDefault(notice.getReason(), "requested"),
          orDefault(notice.getRequestedBy(), "api"));
    }
  }

  /** {@code run}'s deadline passed: it times out ({@link #timeOut}), once. */
  void deadlinePassed(final Conversation.Run run) {
    if (!run.getTimedOut()) {
      timeOut(run);
    }
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

  /**
   * The run {@code created} is superseded as it is created (a newer event already waits behind it
   * under {@code interrupt}): its {@code RunCreated}, {@code CancelRequested} and {@code
   * run.failed{cancelled}}, and no {@code StartRun}, so no worker can ever claim it. The run never
   * goes live; the lane's next event follows at once.
   */
  void createCancelled(final RunDecider.CreatedRun created) {
    final Conversation.Run run = Conversation.Run.startedBy(created);
    out.created(created);
    recordCancel(run, DispatchPolicy.SUPERSEDED, DispatchPolicy.ORCHESTRATOR);
    final String error =
        "cancelled ("
            + DispatchPolicy.SUPERSEDED
            + ", requested by "
            + DispatchPolicy.ORCHESTRATOR
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

  /**
   * The orchestrator cancels {@code run} because a newer event supersedes it: {@code
   * CancelRequested} and {@code CancelRun{superseded}}, marked {@link CancelMarks#REQUESTED}.
   */
  void supersede(final Conversation.Run run) {
    recordCancel(run, DispatchPolicy.SUPERSEDED, DispatchPolicy.ORCHESTRATOR);
    out.cancel(cancelRun(run, DispatchPolicy.SUPERSEDED, DispatchPolicy.ORCHESTRATOR), false);
  }

  /**
   * {@code requestedBy} asked to cancel {@code run} on {@code run-control}: {@code CancelRequested}
   * and, in the same transaction, the {@code CancelRun} workers act on ({@link
   * CancelMarks#REQUESTED}), so the worker's terminal follows the request in ledger order.
   */
  void cancelAsked(final Conversation.Run run, final String reason, final String requestedBy) {
    recordCancel(run, reason, requestedBy);
    out.cancel(cancelRun(run, reason, requestedBy), false);
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
    out.cancel(cancelRun(run, DispatchPolicy.TIMEOUT, DispatchPolicy.ORCHESTRATOR), true);
  }

  /** {@code run} ended: it is no longer live and its deadline goes. */
  void end(final Conversation.Run run) {
    state.remove(run);
    out.deadlineRemoved(run.getRunId(), run.getDeadlineMs(), routingKey);
  }

  /**
   * Records a cancel of {@code run} ({@code CancelRequested}). The orchestrator never ends a run
   * whose {@code StartRun} it wrote: a worker may have claimed it without the tracker knowing yet,
   * so the worker that holds or claims the run ends it ({@link #createCancelled} is the one case
   * without a {@code StartRun}).
   */
  private void recordCancel(
      final Conversation.Run run, final String reason, final String requestedBy) {
    run.markCancelling();
    append(run, CancelRequested.newBuilder().setReason(reason).setRequestedBy(requestedBy).build());
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

  private static String orDefault(final String value, final String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }

  private static RunCommand cancelRun(
      final Conversation.Run run, final String reason, final String requestedBy) {
    return RunCommand.newBuilder()
        .setRunId(run.getRunId())
        .setKind(CancelRun.newBuilder().setReason(reason).setRequestedBy(requestedBy).build())
        .build();
  }
}
