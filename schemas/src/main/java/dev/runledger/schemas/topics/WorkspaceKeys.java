package dev.runledger.schemas.topics;

/**
 * Keys of things that are unique only inside a workspace ({@code event_id}, {@code binding_id},
 * conversation ids, state scopes): {@code workspace_id/id}. A workspace id never holds '/' (the
 * gateway and the orchestrator refuse one), so no two (workspace, id) pairs share a key.
 */
public final class WorkspaceKeys {
  /** The separator, refused inside workspace, bot, conversation and thread ids. */
  public static final char SEPARATOR = '/';

  private WorkspaceKeys() {}

  /** {@code workspace_id/id}. */
  public static String key(final String workspaceId, final String id) {
    return workspaceId + SEPARATOR + id;
  }

  /** The workspace of a key made by {@link #key}. */
  public static String workspace(final String key) {
    return key.substring(0, key.indexOf(SEPARATOR));
  }

  /** The id of a key made by {@link #key}. */
  public static String id(final String key) {
    return key.substring(key.indexOf(SEPARATOR) + 1);
  }

  /** Whether {@code id} may be used as a workspace, bot, conversation or thread id. */
  public static boolean isValidSegment(final String id) {
    return id.indexOf(SEPARATOR) < 0;
  }
}
