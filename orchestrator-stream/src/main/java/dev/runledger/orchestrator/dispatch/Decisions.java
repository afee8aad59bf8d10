package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.time.Instant;

/**
 * Factories for the one {@link DispatchDecision} every event gets, each naming the event's
 * workspace, and the key it is kept and published under: {@code workspace_id/event_id} ({@link
 * WorkspaceKeys}), so two workspaces that choose the same event id are two events.
 */
public final class Decisions {
  private Decisions() {}

  /** The key of {@code event}'s decision, in the dedupe store and on the decisions topic. */
  public static String key(final HostEvent event) {
    return WorkspaceKeys.key(event.getWorkspaceId(), event.getEventId());
  }

  /** The key {@code decision} is kept and published under. */
  public static String key(final DispatchDecision decision) {
    return WorkspaceKeys.key(decision.getWorkspaceId(), decision.getEventId());
  }

  public static DispatchDecision runCreated(
      final HostEvent event, final String runId, final String bindingId, final Instant now) {
    return of(event, Decision.RUN_CREATED, runId, bindingId, null, now);
  }

  /**
   * An event whose own run comes after the lane's active run ({@code kind} {@code enqueued} or
   * {@code followup}); it names the run it will get.
   */
  static DispatchDecision awaiting(
      final HostEvent event, final Decision kind, final String bindingId, final Instant now) {
    return of(
        event,
        kind,
        RunIds.runId(event.getWorkspaceId(), event.getEventId(), bindingId),
        bindingId,
        null,
        now);
  }

  /** An event steered into the active run {@code runId}. */
  static DispatchDecision steered(
      final HostEvent event, final String runId, final String bindingId, final Instant now) {
    return of(event, Decision.STEERED, runId, bindingId, null, now);
  }

  public static DispatchDecision noBinding(final HostEvent event, final Instant now) {
    return of(event, Decision.NO_BINDING, null, null, null, now);
  }

  /** Rejected with a stable reason; {@code bindingId} may be null (e.g. an ambiguous tie). */
  public static DispatchDecision rejected(
      final HostEvent event, final String bindingId, final String reason, final Instant now) {
    return of(event, Decision.REJECTED, null, bindingId, reason, now);
  }

  public static DispatchDecision duplicate(final HostEvent event, final Instant now) {
    return of(event, Decision.DUPLICATE, null, null, null, now);
  }

  /**
   * A duplicate {@code event} of one already decided as {@code original}: it names the original's
   * run and binding, so the compacted decisions topic still tells where the message went.
   */
  public static DispatchDecision duplicateOf(
      final HostEvent event, final DispatchDecision original, final Instant now) {
    return of(event, Decision.DUPLICATE, original.getRunId(), original.getBindingId(), null, now);
  }

  public static DispatchDecision invalid(
      final HostEvent event, final String reason, final Instant now) {
    return of(event, Decision.INVALID, null, null, reason, now);
  }

  /** A decision of any kind for {@code event}. */
  public static DispatchDecision of(
      final HostEvent event,
      final Decision decision,
      final String runId,
      final String bindingId,
      final String reason,
      final Instant now) {
    return DispatchDecision.newBuilder()
        .setEventId(event.getEventId())
        .setWorkspaceId(event.getWorkspaceId())
        .setDecision(decision)
        .setRunId(runId)
        .setBindingId(bindingId)
        .setReason(reason)
        .setDecidedAt(now)
        .build();
  }
}
