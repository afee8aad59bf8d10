package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.events.EventTypes;
import dev.runledger.schemas.topics.WorkspaceKeys;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Checks what the orchestrator relies on in a decoded host event. The gateway checks the same
 * things; events produced straight to the topic are checked here.
 */
public final class HostEventValidator {
  /** Error code (DLQ header and decision reason) of a host event that fails validation. */
  public static final String EVENT_INVALID = "event.invalid";

  /**
   * Error code of a host event whose workspace, bot, conversation or thread id holds the key
   * separator '/', which would let two different events share a key ({@link WorkspaceKeys}).
   */
  public static final String EVENT_INVALID_ID = "event.invalid_id";

  private HostEventValidator() {}

  /**
   * What is wrong with an event: the stable code and a message for a person.
   *
   * @param code {@value #EVENT_INVALID} or {@value #EVENT_INVALID_ID}
   * @param message what is wrong, naming the event and the field
   */
  public record Problem(String code, String message) {}

  /** What is wrong with the event, or empty when it is valid. */
  public static Optional<Problem> problem(final HostEvent event) {
    if (event.getEventId().isBlank()) {
      return invalid("event_id is blank");
    }
    if (event.getWorkspaceId().isBlank()) {
      return invalid("workspace_id is blank in event " + event.getEventId());
    }
    final Map<String, String> segments = new LinkedHashMap<>();
    segments.put("workspace_id", event.getWorkspaceId());
    segments.put("bot_id", event.getBotId());
    segments.put("conversation_id", event.getConversationId());
    segments.put("thread_id", event.getThreadId());
    for (final Map.Entry<String, String> segment : segments.entrySet()) {
      if (segment.getValue() != null && !WorkspaceKeys.isValidSegment(segment.getValue())) {
        return Optional.of(
            new Problem(
                EVENT_INVALID_ID,
                segment.getKey()
                    + " '"
                    + segment.getValue()
                    + "' of event "
                    + event.getEventId()
                    + " holds '"
                    + WorkspaceKeys.SEPARATOR
                    + "', which ids of workspaces, bots, conversations and threads may not"));
      }
    }
    if (!EventTypes.isValid(event.getEventType())) {
      return invalid(
          "event_type '"
              + event.getEventType()
              + "' of event "
              + event.getEventId()
              + " is not of the form word.word[.word]");
    }
    return Optional.empty();
  }

  private static Optional<Problem> invalid(final String message) {
    return Optional.of(new Problem(EVENT_INVALID, message));
  }
}
