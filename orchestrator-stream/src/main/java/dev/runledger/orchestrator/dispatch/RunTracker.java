package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.RunClaimed;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCompleted;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunNoticeKind;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.RunTrack;
import dev.runledger.avro.SteeringInjected;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the orchestrator learns about one run from the ledger and {@code run-control} (pure). It
 * keeps a small {@link RunTrack} per run id and turns the changes that matter to the run's
 * conversation into {@link RunNotice}s keyed by the run's routing key (the ingest key of its
 * event): claimed, ended (first terminal record or {@code RunTimedOut}, with the steering items the
 * run pulled) and cancel requested (a {@code CancelRun} not sent by the orchestrator itself; one
 * that arrives before the run exists waits in the track until {@code RunCreated}). The claimed flag
 * it reports may lag the ledger, so no terminal is decided from it: the orchestrator never ends a
 * run whose {@code StartRun} it wrote (ARCHITECTURE.md §6.5).
 *
 * <p>A run created without a lane is held in its track ({@link LanelessRuns}): its notices are
 * applied there and never sent, and only its end and cancel requests matter (no claimed flag, no
 * injected steering), so its track is written when the run is created and when it ends.
 */
public final class RunTracker {
  private RunTracker() {}

  /**
   * The new track and the notice to send, if any.
   *
   * @param track the run's track after the record
   * @param routingKey key of the notice (null when there is none)
   * @param notice the notice, if any
   */
  public record Step(RunTrack track, String routingKey, Optional<RunNotice> notice) {
    static Step quiet(final RunTrack track) {
      return new Step(track, null, Optional.empty());
    }
  }

  /** A track for a run seen for the first time. */
  public static RunTrack fresh() {
    return RunTrack.newBuilder().setInjected(new ArrayList<>()).build();
  }

  /** Applies one ledger record of a run created in a lane. */
  public static Step onLedger(final RunTrack previous, final LedgerRecord record) {
    return onLedger(previous, record, false);
  }

  /**
   * Applies one ledger record of the run; {@code laneless} when the record is the {@code
   * RunCreated} of a run started without a lane, which the track then holds.
   */
  public static Step onLedger(
      final RunTrack previous, final LedgerRecord record, final boolean laneless) {
    final RunTrack.Builder track = builder(previous);
    final Object body = record.getBody();
    if (body instanceof RunCreated created) {
      if (track.getRoutingKey() != null) {
        return Step.quiet(track.build());
      }
      final String key =
          record.getConversationKey() != null ? record.getConversationKey() : created.getEventId();
      track.setRoutingKey(key);
      if (laneless) {
        track.setRun(Conversation.ownRun(record));
      }
      if (track.getCancelReason() != null && !track.getEnded()) {
        final RunNotice cancel =
            cancel(
                record.getRunId(),
                track.getCancelReason(),
                track.getCancelRequestedBy(),
                track.getClaimed());
        track.setCancelReason(null);
        track.setCancelRequestedBy(null);
        return new Step(track.build(), key, Optional.of(cancel));
      }
      return Step.quiet(track.build());
    }
    final Optional<List<String>> terminal = terminalPulled(body);
    if (track.getRoutingKey() == null
        || track.getEnded()
        || (track.getRun() != null && terminal.isEmpty())) {
      return Step.quiet(track.build());
    }
    if (body instanceof RunClaimed) {
      if (track.getClaimed()) {
        return Step.quiet(track.build());
      }
      track.setClaimed(true);
      return notice(track.build(), record.getRunId(), RunNoticeKind.CLAIMED, List.of());
    }
    if (body instanceof SteeringInjected injected) {
      final List<String> ids = new ArrayList<>(track.getInjected());
      ids.add(injected.getSourceEventId());
      track.setInjected(ids);
      return Step.quiet(track.build());
    }
    if (terminal.isEmpty()) {
      return Step.quiet(track.build());
    }
    track.setEnded(true);
    final Set<String> pulled = new LinkedHashSet<>(terminal.get());
    pulled.addAll(track.getInjected());
    return notice(track.build(), record.getRunId(), RunNoticeKind.ENDED, List.copyOf(pulled));
  }

  /**
   * Applies one {@code run-control} command for the run; {@code recorded} when it carries a {@code
   * CancelMarks} header, i.e. the orchestrator wrote it (a relayed request is not asked again).
   */
  public static Step onControl(
      final RunTrack previous, final RunCommand command, final boolean recorded) {
    final RunTrack.Builder track = builder(previous);
    if (!(command.getKind() instanceof CancelRun cancel)
        || recorded
        || DispatchPolicy.ORCHESTRATOR.equals(cancel.getRequestedBy())
        || track.getEnded()) {
      return Step.quiet(track.build());
    }
    if (track.getRoutingKey() == null) {
      track.setCancelReason(cancel.getReason());
      track.setCancelRequestedBy(cancel.getRequestedBy());
      return Step.quiet(track.build());
    }
    return new Step(
        track.build(),
        track.getRoutingKey(),
        Optional.of(
            cancel(
                command.getRunId(),
                cancel.getReason(),
                cancel.getRequestedBy(),
                track.getClaimed())));
  }

  private static Optional<List<String>> terminalPulled(final Object body) {
    if (body instanceof RunTimedOut) {
      return Optional.of(List.of());
    }
    if (body instanceof AgentRunResult result) {
      if (result.getPayload() instanceof RunCompleted completed) {
        return Optional.of(completed.getPulledSteering());
      }
      if (result.getPayload() instanceof RunFailed failed) {
        return Optional.of(failed.getPulledSteering());
      }
    }
    return Optional.empty();
  }

  private static Step notice(
      final RunTrack track,
      final String runId,
      final RunNoticeKind kind,
      final List<String> pulled) {
    return new Step(
        track,
        track.getRoutingKey(),
        Optional.of(
            RunNotice.newBuilder()
                .setRunId(runId)
                .setKind(kind)
                .setPulledSteering(pulled)
                .setClaimed(track.getClaimed())
                .build()));
  }

  private static RunNotice cancel(
      final String runId, final String reason, final String requestedBy, final boolean claimed) {
    return RunNotice.newBuilder()
        .setRunId(runId)
        .setKind(RunNoticeKind.CANCEL)
        .setReason(reason)
        .setRequestedBy(requestedBy)
        .setClaimed(claimed)
        .build();
  }

  private static RunTrack.Builder builder(final RunTrack previous) {
    return previous == null ? RunTrack.newBuilder(fresh()) : RunTrack.newBuilder(previous);
  }
}
