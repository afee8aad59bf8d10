package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.ContentPart;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.MessageCompleted;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.StateUpdated;
import dev.runledger.avro.TranscriptItem;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The pure folds of the transcript, state and dispatch-decision views (ARCHITECTURE.md §8.2),
 * shared by the live topology and by rebuild like {@link RunFold}. Nothing here reads a clock.
 */
final class ViewFolds {
  /** Event type of the host events that become user messages. */
  public static final String MESSAGE_RECEIVED = "message.received";

  /** Role of user messages. */
  public static final String USER = "user";

  /** {@code version} of a state update on its way to the state store that deletes the key. */
  public static final long DELETE = -1;

  private ViewFolds() {}

  /** The user message of a {@code message.received} event with a conversation and some text. */
  public static Optional<TranscriptItem> userMessage(final HostEvent event) {
    if (!MESSAGE_RECEIVED.equals(event.getEventType()) || event.getConversationId() == null) {
      return Optional.empty();
    }
    final String text = textOf(event);
    if (text.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(
        TranscriptItem.newBuilder()
            .setWorkspaceId(event.getWorkspaceId())
            .setConversationId(event.getConversationId())
            .setSeq(0)
            .setRole(USER)
            .setContent(text)
            .setEventId(event.getEventId())
            .setActor(event.getActor())
            .setTimestamp(event.getEventTime())
            .build());
  }

  /**
   * The assistant message of an applied {@code message.completed} record of a run that has a
   * conversation (and so a workspace: run.created names both). Call it only for records the run
   * fold applied, so fenced attempts never speak.
   */
  public static Optional<TranscriptItem> assistantMessage(
      final AgentRun run, final LedgerRecord record) {
    if (run.getConversationId() == null
        || run.getWorkspaceId() == null
        || !(record.getBody() instanceof dev.runledger.avro.AgentRunResult result)
        || !(result.getPayload() instanceof MessageCompleted completed)) {
      return Optional.empty();
    }
    return Optional.of(
        TranscriptItem.newBuilder()
            .setWorkspaceId(run.getWorkspaceId())
            .setConversationId(run.getConversationId())
            .setSeq(0)
            .setRole(completed.getMessage().getRole())
            .setContent(completed.getMessage().getContent())
            .setRunId(run.getRunId())
            .setTimestamp(record.getTimestamp())
            .build());
  }

  /** The item numbered as the conversation's next one. */
  public static TranscriptItem numbered(final TranscriptItem item, final long seq) {
    return TranscriptItem.newBuilder(item).setSeq(seq).build();
  }

  /**
   * The state update of an applied {@code state.updated} record, as the entry it would write:
   * version 0 (numbered by {@link #applyState}), or {@link #DELETE} when the value is null. It is
   * kept under the run's workspace, whatever scope id the runner named; a run whose workspace the
   * views do not know (no run.created yet) writes no state.
   */
  public static Optional<StateEntry> stateUpdate(final AgentRun run, final LedgerRecord record) {
    if (run.getWorkspaceId() == null
        || !(record.getBody() instanceof dev.runledger.avro.AgentRunResult result)
        || !(result.getPayload() instanceof StateUpdated update)) {
      return Optional.empty();
    }
    final boolean delete = update.getValueJson() == null;
    return Optional.of(
        StateEntry.newBuilder()
            .setWorkspaceId(run.getWorkspaceId())
            .setScope(update.getScope())
            .setScopeId(update.getScopeId())
            .setKey(update.getKey())
            .setValueJson(delete ? "null" : update.getValueJson())
            .setVersion(delete ? DELETE : 0)
            .setUpdatedAt(record.getTimestamp())
            .setRunId(record.getRunId())
            .setWriter(run.getRunnerId())
            .build());
  }

  /** The entry after an update, or empty when the update deletes it. */
  public static Optional<StateEntry> applyState(final StateEntry current, final StateEntry update) {
    if (update.getVersion() == DELETE) {
      return Optional.empty();
    }
    final long version = current == null ? 1 : current.getVersion() + 1;
    return Optional.of(StateEntry.newBuilder(update).setVersion(version).build());
  }

  /**
   * The decision an event keeps: a later {@code duplicate} decision never replaces an earlier
   * decision that was not one (the duplicate carries the original run id, but the original decision
   * says what happened to the event); anything else replaces it.
   */
  public static DispatchDecision applyDecision(
      final DispatchDecision current, final DispatchDecision incoming) {
    if (current != null
        && incoming.getDecision() == Decision.DUPLICATE
        && current.getDecision() != Decision.DUPLICATE) {
      return current;
    }
    return incoming;
  }

  private static String textOf(final HostEvent event) {
    final String text = event.getInput().getText();
    if (text != null && !text.isBlank()) {
      return text;
    }
    return event.getInput().getContents().stream()
        .map(ContentPart::getText)
        .filter(t -> t != null && !t.isBlank())
        .collect(Collectors.joining("\n"));
  }
}
