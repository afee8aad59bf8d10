package dev.runledger.orchestrator.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Run ids derived from ({@code event_id}, {@code binding_id}), so processing an event again can
 * never create a second run for the same binding (ARCHITECTURE.md §6.3).
 */
public final class RunIds {
  /** Prefix of every run id. */
  public static final String PREFIX = "run_";

  private RunIds() {}

  /**
   * {@code run_} + the name-based UUID of both ids. The event id is length-prefixed, so no two
   * different pairs share a name ({@code ("a:b", "c")} vs {@code ("a", "b:c")}).
   */
  public static String runId(final String eventId, final String bindingId) {
    final String name = eventId.length() + ":" + eventId + "|" + bindingId;
    return PREFIX + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
  }
}
