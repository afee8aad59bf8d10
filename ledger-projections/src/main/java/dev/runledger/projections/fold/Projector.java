package dev.runledger.projections.fold;

import dev.runledger.avro.AgentRun;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.DispatchDecision;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.StateEntry;
import dev.runledger.avro.TranscriptItem;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the views do with a ledger record, a host event or a dispatch decision, written once
 * over a {@link ViewPort}: the live topology's processors pass their Kafka Streams stores and
 * {@code ledger rebuild} passes maps, so replay equals live by construction. The folds themselves
 * are {@link RunFold} and {@link ViewFolds}; this class keeps the stores in step with them (the
 * run, its appended events and its index keys; transcript numbering and each host event once; state
 * versions; the decision an event keeps; cleanup tombstones). It reads no clock and logs nothing.
 */
public final class Projector {
  private final ViewPort views;

  public Projector(final ViewPort views) {
    this.views = views;
  }

  /**
   * Folds a ledger record read under {@code key} at {@code offset} into its run, its events and the
   * run index. A record under another key than its run id is left out (the live topology
   * dead-letters it: its partition is not the one that holds the run).
   *
   * @return what the record did and passes on, or empty when it was left out
   */
  public Optional<Projection> ledger(
      final String key, final LedgerRecord record, final long offset) {
    if (!record.getRunId().equals(key)) {
      return Optional.empty();
    }
    final AgentRun before = views.runs().get(key);
    final FoldResult result = RunFold.apply(before, record, offset);
    final AgentRun after = result.run();
    views.runs().put(key, after);
    reindex(before, after);
    result.event().ifPresent(e -> views.runEvents().put(RunEventKeys.key(key, e.getSeq()), e));
    if (result.outcome() != FoldOutcome.APPLIED) {
      return Optional.of(new Projection(result, Optional.empty(), Optional.empty(), false));
    }
    return Optional.of(
        new Projection(
            result,
            ViewFolds.assistantMessage(after, record),
            ViewFolds.stateUpdate(after, record),
            record.getBody() instanceof AgentRunResult && record.getConversationKey() != null));
  }

  /**
   * A cleanup tombstone of a run: forgets its view, events and index keys.
   *
   * @return false when the run was not in the views
   */
  public boolean remove(final String runId) {
    final AgentRun run = views.runs().get(runId);
    if (run == null) {
      return false;
    }
    ViewKeys.indexKeys(run).forEach(views.runsIndex()::delete);
    final ViewStore<?> events = views.runEvents();
    events.range(RunEventKeys.after(runId, 0), RunEventKeys.last(runId)).forEach(events::delete);
    views.runs().delete(runId);
    return true;
  }

  /** The user message a host event adds to its conversation's transcript, not yet numbered. */
  public Optional<TranscriptItem> hostEvent(final HostEvent event) {
    return ViewFolds.userMessage(event);
  }

  /**
   * Stores a transcript item as its conversation's next one, under its workspace ({@link
   * ViewKeys#conversation}). A user message whose host event is already in the conversation's
   * transcript is left out: a re-sent event (the orchestrator decides it {@code duplicate}) is
   * applied once, whatever its text and in whichever order it arrives with its decision, since the
   * check needs only the transcript's own index. An item without a workspace (written before
   * TranscriptItem v2) is left out: it cannot be placed in any one workspace's transcript.
   *
   * @return false when the item was left out
   */
  public boolean transcript(final TranscriptItem item) {
    if (item.getWorkspaceId() == null) {
      return false;
    }
    final String conversation = conversationKey(item);
    final String event =
        item.getEventId() == null
            ? null
            : ViewKeys.transcriptEvent(conversation, item.getEventId());
    if (event != null && views.transcriptEvents().get(event) != null) {
      return false;
    }
    final TranscriptItem last =
        views
            .transcript()
            .last(
                ViewKeys.transcript(conversation, 0),
                ViewKeys.transcript(conversation, Long.MAX_VALUE));
    final long seq = (last == null ? 0 : last.getSeq()) + 1;
    final String key = ViewKeys.transcript(conversation, seq);
    views.transcript().put(key, ViewFolds.numbered(item, seq));
    if (event != null) {
      views.transcriptEvents().put(event, key);
    }
    return true;
  }

  /** The key a transcript item is partitioned and stored by: its workspace's conversation. */
  public static String conversationKey(final TranscriptItem item) {
    return ViewKeys.conversation(item.getWorkspaceId(), item.getConversationId());
  }

  /** The key a state update is partitioned by: its workspace's scope and scope id. */
  public static String stateOwner(final StateEntry update) {
    return ViewKeys.stateOwner(update.getWorkspaceId(), update.getScope(), update.getScopeId());
  }

  /**
   * Applies a state update ({@link ViewFolds#applyState}) under its workspace; one without a
   * workspace (written before StateEntry v2) is left out.
   */
  public void state(final StateEntry update) {
    if (update.getWorkspaceId() == null) {
      return;
    }
    final String key =
        ViewKeys.state(
            update.getWorkspaceId(), update.getScope(), update.getScopeId(), update.getKey());
    final ViewStore<StateEntry> state = views.state();
    ViewFolds.applyState(state.get(key), update)
        .ifPresentOrElse(next -> state.put(key, next), () -> state.delete(key));
  }

  /**
   * Keeps the decision read under {@code key}, the decisions topic's {@code workspace_id/event_id}
   * ({@link ViewKeys#decision}, {@link ViewFolds#applyDecision}); null is a tombstone that forgets
   * it. A decision under another key than its workspace's event id is left out.
   */
  public void decision(final String key, final DispatchDecision decision) {
    final ViewStore<DispatchDecision> decisions = views.decisions();
    if (decision == null) {
      decisions.delete(key);
    } else if (decision.getEventId().equals(ViewKeys.decisionEventId(key))) {
      decisions.put(key, ViewFolds.applyDecision(decisions.get(key), decision));
    }
  }

  private void reindex(final AgentRun before, final AgentRun after) {
    final Set<String> now = ViewKeys.indexKeys(after);
    final Set<String> old = before == null ? Set.of() : ViewKeys.indexKeys(before);
    final ViewStore<String> index = views.runsIndex();
    old.stream().filter(k -> !now.contains(k)).forEach(index::delete);
    now.stream().filter(k -> !old.contains(k)).forEach(k -> index.put(k, after.getRunId()));
  }
}
