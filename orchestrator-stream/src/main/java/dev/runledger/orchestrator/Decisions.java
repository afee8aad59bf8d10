package dev.runledger.orchestrator;

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

  public static DispatchDecision invalid(
      final String eventId, final String reason, final Instant now) {
    return of(eventId, Decision.INVALID, null, null, reason, now);
  }

  private static DispatchDecision of(
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
