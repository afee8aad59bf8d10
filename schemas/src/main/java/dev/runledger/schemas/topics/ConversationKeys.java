package dev.runledger.schemas.topics;

import dev.runledger.avro.ConversationRef;
import dev.runledger.avro.HostEvent;

/**
 * The key of a host event on the ingest topic: {@code workspace/bot/conversation/thread} (empty
 * segments for absent parts), or {@code workspace/event_id} ({@link WorkspaceKeys}) when the event
 * has no conversation, so two workspaces' events of the same id never share a key. Every event of
 * one conversation lands on one partition, in order.
 */
public final class ConversationKeys {
  private ConversationKeys() {}

  /** The conversation key of this event, or null when it has no conversation. */
  public static String conversationKey(final HostEvent event) {
    if (event.getConversationId() == null) {
      return null;
    }
    return String.join(
        "/",
        event.getWorkspaceId(),
        orEmpty(event.getBotId()),
        event.getConversationId(),
        orEmpty(event.getThreadId()));
  }

  /** The conversation key of a run's or steering item's conversation, or null without one. */
  public static String conversationKey(final ConversationRef conversation) {
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

  /** The ingest topic key of this event. */
  public static String ingestKey(final HostEvent event) {
    final String key = conversationKey(event);
    return key == null ? WorkspaceKeys.key(event.getWorkspaceId(), event.getEventId()) : key;
  }

  private static String orEmpty(final String value) {
    return value == null ? "" : value;
  }
}
