package dev.runledger.orchestrator;

import dev.runledger.avro.HostEvent;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks what the orchestrator relies on in a decoded host event. The gateway checks the same
 * things; events produced straight to the topic are checked here.
 */
public final class HostEventValidator {
  /** Error code (DLQ header and decision reason) of a host event that fails validation. */
  public static final String EVENT_INVALID = "event.invalid";

  /** The form of an event type: {@code word.word[.word]}, words of letters, digits and _. */
  public static final Pattern EVENT_TYPE = Pattern.compile("\\w+\\.\\w+(\\.\\w+)?");

  private HostEventValidator() {}

  /** What is wrong with the event, for a person, or empty when it is valid. */
  public static Optional<String> problem(final HostEvent event) {
    if (event.getEventId().isBlank()) {
      return Optional.of("event_id is blank");
    }
    if (event.getWorkspaceId().isBlank()) {
      return Optional.of("workspace_id is blank in event " + event.getEventId());
    }
    if (!EVENT_TYPE.matcher(event.getEventType()).matches()) {
      return Optional.of(
          "event_type '"
              + event.getEventType()
              + "' of event "
              + event.getEventId()
              + " is not of the form word.word[.word]");
    }
    return Optional.empty();
  }
}
