package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.ConversationState;
import dev.runledger.avro.OwnRun;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunNoticeKind;
import dev.runledger.avro.RunTrack;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Runs without a lane: the run of an event without a conversation, or of a binding in {@code
 * parallel} mode (pure). Nothing in the run's conversation waits on it, so the conversation does
 * not keep it; from its {@code RunCreated} on, the run tracker holds its {@link OwnRun} in the
 * run's {@link RunTrack} and applies here, without a notice through the repartition, what {@link
 * DispatchPolicy} applies to a lane's run: a cancel request is recorded and relayed once, the
 * deadline times the run out once, the end lets it go. Each step is the conversation's own ({@link
 * ConversationStep}), on a conversation of that one run, so the records and their attempt-0
 * sequence are the same as if the conversation held the run.
 */
public final class LanelessRuns {
  private LanelessRuns() {}

  /**
   * What one step of a held run did.
   *
   * @param track the run's track after the step; its run is null once the run ended
   * @param effects what the step writes (attempt-0 ledger records, {@code CancelRun}s)
   */
  public record Step(RunTrack track, Effects effects) {}

  /** Whether {@code track} holds a run without a lane. */
  public static boolean holds(final RunTrack track) {
    return track != null && track.getRun() != null;
  }

  /**
   * Applies {@code notice}, which {@link RunTracker} made of a ledger record or a cancel request,
   * to the run {@code track} holds.
   */
  public static Step onNotice(final RunTrack track, final RunNotice notice, final Instant now) {
    final Conversation state = alone(track);
    final ConversationStep step = new ConversationStep(state, track.getRoutingKey(), now);
    state
        .run(notice.getRunId())
        .ifPresent(
            run -> {
              if (notice.getKind() == RunNoticeKind.ENDED) {
                step.end(run);
              } else {
                step.noticed(run, notice);
              }
            });
    return after(track, state, step);
  }

  /** The deadline of the run {@code track} holds passed. */
  public static Step onDeadline(final RunTrack track, final Instant now) {
    final Conversation state = alone(track);
    final ConversationStep step = new ConversationStep(state, track.getRoutingKey(), now);
    state.run(track.getRun().getRunId()).ifPresent(step::deadlinePassed);
    return after(track, state, step);
  }

  /**
   * The deadline (epoch ms) at which the run {@code track} holds is still to be timed out; empty
   * when it holds none or has timed it out already.
   */
  public static Optional<Long> pendingDeadline(final RunTrack track) {
    return holds(track) && !track.getRun().getTimedOut()
        ? Optional.of(track.getRun().getDeadlineMs())
        : Optional.empty();
  }

  private static Conversation alone(final RunTrack track) {
    return Conversation.from(
        ConversationState.newBuilder().setRuns(List.of(track.getRun())).build());
  }

  private static Step after(
      final RunTrack track, final Conversation state, final ConversationStep step) {
    final List<OwnRun> runs = state.toState().getRuns();
    return new Step(
        RunTrack.newBuilder(track).setRun(runs.isEmpty() ? null : runs.get(0)).build(),
        step.effects());
  }
}
