package dev.runledger.orchestrator.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Run ids derived from ({@code workspace_id}, {@code event_id}, {@code binding_id}), so processing
 * an event again can never create a second run for the same binding, and two workspaces that choose
 * the same event id get different runs (ARCHITECTURE.md §6.3).
 */
public final class RunIds {
  /** Prefix of every run id. */
  public static final String PREFIX = "run_";

  private RunIds() {}

  /**
   * {@code run_} + the name-based UUID of the three ids. Each id is length-prefixed, so no two
   * different tuples share a name ({@code ("w", "a:b", "c")} vs {@code ("w", "a", "b:c")}).
   */
  public static String runId(
      final String workspaceId, final String eventId, final String bindingId) {
    final StringBuilder name = new StringBuilder();
    for (final String part : new String[] {workspaceId, eventId, bindingId}) {
      name.append(part.length()).append(':').append(part).append('|');
    }
    return PREFIX + UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8));
  }
}
