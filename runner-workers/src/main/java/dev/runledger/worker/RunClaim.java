package dev.runledger.worker;

import dev.runledger.avro.ConversationRef;
import dev.runledger.avro.StartRun;

/**
 * One claim of a {@code StartRun} command.
 *
 * @param runId the run
 * @param attempt the claim's attempt number, from 1 (the share-group delivery count)
 * @param start the command
 */
public record RunClaim(String runId, int attempt, StartRun start) {
  public RunClaim {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, got " + attempt);
    }
  }

  /** The runner the command names. */
  public String runnerId() {
    return start.getSnapshot().getRunnerId();
  }

  /**
   * The run's conversation key, {@code workspace/bot/conversation/thread} with empty segments for
   * absent parts (the same form as {@code ConversationKeys}), or null without a conversation.
   */
  public String conversationKey() {
    final ConversationRef conversation = start.getContext().getConversation();
    if (conversation == null) {
      return null;
    }
    return String.join(
        "/",
        conversation.getWorkspaceId(),
        orEmpty(conversation.getBotId()),
        conversation.getConversationId(),
        orEmpty(conversation.getThreadId()));
  }

  private static String orEmpty(final String value) {
    return value == null ? "" : value;
  }
}
