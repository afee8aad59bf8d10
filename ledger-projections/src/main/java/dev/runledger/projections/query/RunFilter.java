package dev.runledger.projections.query;

import dev.runledger.avro.AgentRun;
import java.util.Locale;

/**
 * Filters of a run listing; null fields match anything.
 *
 * @param conversationId runs of this conversation
 * @param status runs in this status (lowercase, e.g. {@code completed})
 * @param runnerId runs of this runner
 */
public record RunFilter(String conversationId, String status, String runnerId) {
  /** True when the run passes every filter. */
  public boolean matches(final AgentRun run) {
    return (conversationId == null || conversationId.equals(run.getConversationId()))
        && (status == null || status.equals(run.getStatus().name().toLowerCase(Locale.ROOT)))
        && (runnerId == null || runnerId.equals(run.getRunnerId()));
  }
}
