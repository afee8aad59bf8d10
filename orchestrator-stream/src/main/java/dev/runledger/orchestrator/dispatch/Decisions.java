package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import java.time.Instant;

/** Factories for the one {@link DispatchDecision} every event gets. */
public final class Decisions {
  private Decisions() {}

  public static DispatchDecision runCreated(
      final String eventId, final String runId, final String bindingId, final Instant now) {
    return of(eventId, Decision.RUN_CREATED, runId, bindingId, null, now);
  }

  /**
   * An event whose own run comes after the lane's active run ({@code kind} {@code enqueued} or
   * {@code followup}); it names the run it will get.
   */
  static DispatchDecision awaiting(
      final String eventId, final Decision kind, final String bindingId, final Instant now) {
    return of(eventId, kind, RunIds.runId(eventId, bindingId), bindingId, null, now);
  }

  /** An event steered into the active run {@code runId}. */
  static DispatchDecision steered(
      final String eventId, final String runId, final String bindingId, final Instant now) {
    return of(eventId, Decision.STEERED, runId, bindingId, null, now);
  }

  public static DispatchDecision noBinding(final String eventId, final Instant now) {
    return of(eventId, Decision.NO_BINDING, null, null, null, now);
  }

  /** Rejected with a stable reason; {@code bindingId} may be null (e.g. an ambiguous tie). */
  public static DispatchDecision rejected(
      final String eventId, final String bindingId, final String reason, final Instant now) {
    return of(eventId, Decision.REJECTED, null, bindingId, reason, now);
  }

  public static DispatchDecision duplicate(final String eventId, final Instant now) {
    return of(eventId, Decision.DUPLICATE, null, null, null, now);
  }

  /**
   * A duplicate of an event already decided as {@code original}: it names the original's run and
   * binding, so the compacted decisions topic still tells where the message went.
   */
  public static DispatchDecision duplicateOf(final DispatchDecision original, final Instant now) {
    return of(
        original.getEventId(),
        Decision.DUPLICATE,
        original.getRunId(),
        original.getBindingId(),
        null,
        now);
  }

  public static DispatchDecision invalid(
      final String eventId, final String reason, final Instant now) {
    return of(eventId, Decision.INVALID, null, null, reason, now);
  }

  /** A decision of any kind. */
  public static DispatchDecision of(
      final String eventId,
      final Decision decision,
      final String runId,
      final String bindingId,
      final String reason,
      final Instant now) {
    return DispatchDecision.newBuilder()
        .setEventId(eventId)
        .setDecision(decision)
        .setRunId(runId)
        .setBindingId(bindingId)
        .setReason(reason)
        .setDecidedAt(now)
        .build();
  }
}
