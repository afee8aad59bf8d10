package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Keys of the stores besides {@code runs} and {@code run-events}: transcript ({@code
 * conversation_id/seq}), the transcript's host events ({@link #transcriptEvent}), state ({@code
 * scope/scope_id/key}, partitioned by {@code scope/scope_id}) and the run indexes ({@code
 * t/created/run_id}, {@code c/conversation_id/created/run_id}, {@code s/status/created/run_id}).
 * Numbers are zero-padded to 20 digits so keys sort numerically.
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

  private ViewKeys() {}

  /** A zero-padded number. */
  public static String padded(final long n) {
    return String.format(Locale.ROOT, "%020d", n);
  }

  /** Key of transcript item {@code seq} of a conversation. */
  public static String transcript(final String conversationId, final long seq) {
    return conversationId + "/" + padded(seq);
  }

  /**
   * Key of the host event {@code eventId} in a conversation's transcript: {@code <length of
   * conversation_id>/conversation_id/event_id}, so that no two (conversation, event) pairs share a
   * key whatever '/' either holds.
   */
  public static String transcriptEvent(final String conversationId, final String eventId) {
    return conversationId.length() + "/" + conversationId + "/" + eventId;
  }

  /** Key of a state entry. */
  public static String state(final String scope, final String scopeId, final String key) {
    return stateOwner(scope, scopeId) + "/" + key;
  }

  /** Partition key of a state scope: every key of one {@code scope/scope_id} lives together. */
  public static String stateOwner(final String scope, final String scopeId) {
    return scope + "/" + scopeId;
  }

  /** The sort position of a run in every index: its creation time then its id. */
  public static String position(final AgentRun run) {
    final Instant created = run.getCreatedAt();
    return padded(created == null ? 0 : created.toEpochMilli()) + "/" + run.getRunId();
  }

  /** Every index key of a run. */
  public static Set<String> indexKeys(final AgentRun run) {
    final Set<String> keys = new LinkedHashSet<>();
    final String position = position(run);
    keys.add(BY_TIME + position);
    if (run.getConversationId() != null) {
      keys.add(BY_CONVERSATION + run.getConversationId() + "/" + position);
    }
    keys.add(BY_STATUS + run.getStatus().name().toLowerCase(Locale.ROOT) + "/" + position);
    return keys;
  }
}
