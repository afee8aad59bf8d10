package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Keys of the stores besides {@code runs} and {@code run-events}, each under the workspace ({@link
 * WorkspaceKeys}): transcript ({@code workspace_id/conversation_id/seq}, partitioned by the
 * conversation key {@code workspace_id/conversation_id}), the transcript's host events ({@link
 * #transcriptEvent}), state ({@code workspace_id/scope/scope_id/key}, partitioned by {@code
 * workspace_id/scope/scope_id}), decisions ({@code workspace_id/event_id}, the decisions topic's
 * key) and the run indexes ({@code t/workspace_id/created/run_id}, {@code
 * c/workspace_id/conversation_id/created/run_id}, {@code s/workspace_id/status/created/run_id}). A
 * run whose workspace is not known yet is in no index. Numbers are zero-padded to 20 digits so keys
 * sort numerically.
 */
public final class ViewKeys {
  /** Index prefix of runs by creation time. */
  public static final String BY_TIME = "t/";

  /** Index prefix of runs by conversation. */
  public static final String BY_CONVERSATION = "c/";

  /** Index prefix of runs by status. */
  public static final String BY_STATUS = "s/";

  /** Sorts after every character a key holds; the upper bound of a prefix scan. */
  public static final String END = "\uffff";

  private static final int PADDED_WIDTH = 20;

  private ViewKeys() {}

  /** A zero-padded number. */
  public static String padded(final long n) {
    if (n < 0) {
      return String.format(Locale.ROOT, "%020d", n);
    }
    // by hand: String.format was a tenth of the fold's time in a profile of rebuild
    final String digits = Long.toString(n);
    return "0".repeat(PADDED_WIDTH - digits.length()) + digits;
  }

  /**
   * The key every item of a conversation is partitioned by: {@code workspace_id/conversation_id}.
   */
  public static String conversation(final String workspaceId, final String conversationId) {
    return WorkspaceKeys.key(workspaceId, conversationId);
  }

  /** Key of transcript item {@code seq} of a conversation (a {@link #conversation} key). */
  public static String transcript(final String conversationKey, final long seq) {
    return conversationKey + "/" + padded(seq);
  }

  /**
   * Key of the host event {@code eventId} in a conversation's transcript: {@code <length of the
   * conversation key>/conversation key/event_id}, so that no two (conversation, event) pairs share
   * a key whatever '/' either holds.
   */
  public static String transcriptEvent(final String conversationKey, final String eventId) {
    return conversationKey.length() + "/" + conversationKey + "/" + eventId;
  }

  /** Key of a state entry. */
  public static String state(
      final String workspaceId, final String scope, final String scopeId, final String key) {
    return stateOwner(workspaceId, scope, scopeId) + "/" + key;
  }

  /**
   * Partition key of a state scope: every key of one {@code workspace_id/scope/scope_id} lives
   * together.
   */
  public static String stateOwner(
      final String workspaceId, final String scope, final String scopeId) {
    return WorkspaceKeys.key(workspaceId, scope + "/" + scopeId);
  }

  /** Key of an event's decision: {@code workspace_id/event_id}. */
  public static String decision(final String workspaceId, final String eventId) {
    return WorkspaceKeys.key(workspaceId, eventId);
  }

  /**
   * The event id of a {@link #decision} key, or null when the key names no workspace (a record
   * keyed the old way, by the bare event id).
   */
  public static String decisionEventId(final String key) {
    return key == null || key.indexOf(WorkspaceKeys.SEPARATOR) <= 0 ? null : WorkspaceKeys.id(key);
  }

  /** The prefix of a workspace's runs in the index {@code by} ({@link #BY_TIME}...). */
  public static String index(final String by, final String workspaceId) {
    return by + workspaceId + "/";
  }

  /** The sort position of a run in every index: its creation time then its id. */
  public static String position(final AgentRun run) {
    final Instant created = run.getCreatedAt();
    return padded(created == null ? 0 : created.toEpochMilli()) + "/" + run.getRunId();
  }

  /** Every index key of a run; none while its workspace is not known. */
  public static Set<String> indexKeys(final AgentRun run) {
    final Set<String> keys = new LinkedHashSet<>();
    final String ws = run.getWorkspaceId();
    if (ws == null) {
      return keys;
    }
    final String position = position(run);
    keys.add(index(BY_TIME, ws) + position);
    if (run.getConversationId() != null) {
      keys.add(index(BY_CONVERSATION, ws) + run.getConversationId() + "/" + position);
    }
    keys.add(
        index(BY_STATUS, ws) + run.getStatus().name().toLowerCase(Locale.ROOT) + "/" + position);
    return keys;
  }
}
