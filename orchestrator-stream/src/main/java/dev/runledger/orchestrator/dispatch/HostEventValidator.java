package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.HostEvent;
import dev.runledger.schemas.events.EventTypes;
import java.util.Optional;

/**
 * Checks what the orchestrator relies on in a decoded host event. The gateway checks the same
 * things; events produced straight to the topic are checked here.
 */
public final class HostEventValidator {
  /** Error code (DLQ header and decision reason) of a host event that fails validation. */
  public static final String EVENT_INVALID = "event.invalid";

  private HostEventValidator() {}

  /** What is wrong with the event, for a person, or empty when it is valid. */
  public static Optional<String> problem(final HostEvent event) {
    if (event.getEventId().isBlank()) {
      return Optional.of("event_id is blank");
    }
    if (event.getWorkspaceId().isBlank()) {
      return Optional.of("workspace_id is blank in event " + event.getEventId());
    }
    if (!EventTypes.isValid(event.getEventType())) {
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
