package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.OnUnpulled;
import dev.runledger.avro.QueuedEvent;
import dev.runledger.avro.RunnerManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What follows when a run ends. The run is no longer live and its deadline goes. When it was its
 * lane's active run, each steered event it never pulled gets {@code SteeringDropped} and, unless
 * the binding's {@code on_unpulled} is {@code drop}, comes back as a follow-up ahead of the queue;
 * then the lane's next queued event whose run can be created starts, and an idle lane closes.
 */
final class LaneSuccession {
  private final RunDecider decider;

  /** (workspace id, binding id) → the binding; a lane's binding is of its events' workspace. */
  private final BiFunction<String, String, Optional<AgentBinding>> bindings;

  private final Function<String, Optional<RunnerManifest>> runners;

  LaneSuccession(
      final RunDecider decider,
      final BiFunction<String, String, Optional<AgentBinding>> bindings,
      final Function<String, Optional<RunnerManifest>> runners) {
    this.decider = decider;
    this.bindings = bindings;
    this.runners = runners;
  }

  /** {@code run} ended, having pulled the steered events {@code pulled}. */
  void ended(final ConversationStep step, final Conversation.Run run, final Set<String> pulled) {
    step.end(run);
    final Optional<Conversation.LaneState> found = step.state().lane(run.getBindingId());
    if (found.isEmpty() || !run.getRunId().equals(found.get().getActiveRunId())) {
      return;
    }
    final Conversation.LaneState lane = found.get();
    final List<QueuedEvent> followUps = new ArrayList<>();
    for (final HostEvent item : lane.getSteered()) {
      final String eventId = item.getEventId();
      if (pulled.contains(eventId)) {
        continue;
      }
      step.dropSteering(run, eventId);
      if (followsUp(item.getWorkspaceId(), lane.getBindingId())) {
        followUps.add(
            QueuedEvent.newBuilder().setEvent(item).setDecision(Decision.FOLLOWUP).build());
        step.decide(Decisions.awaiting(item, Decision.FOLLOWUP, lane.getBindingId(), step.now()));
      }
    }
    lane.endActive(followUps);
    startNext(step, lane);
  }

  /**
   * Starts the lane's next queued event whose run can be created; drops the lane when idle. A
   * queued event already has its decision, naming its run; it gets another only when the run cannot
   * be created. Under {@code interrupt} with more events waiting, the new run is superseded as it
   * is created, without a {@code StartRun} ({@link ConversationStep#createCancelled}), and the next
   * event follows.
   */
  private void startNext(final ConversationStep step, final Conversation.LaneState lane) {
    while (lane.getActiveRunId() == null) {
      final Optional<QueuedEvent> next = lane.takeNext();
      if (next.isEmpty()) {
        break;
      }
      final HostEvent event = next.get().getEvent();
      final Optional<AgentBinding> binding =
          bindings
              .apply(event.getWorkspaceId(), lane.getBindingId())
              .filter(AgentBinding::getEnabled);
      if (binding.isEmpty()) {
        reject(step, event, lane, DispatchPolicy.BINDING_REMOVED);
        continue;
      }
      final Optional<RunnerManifest> manifest = runners.apply(binding.get().getRunnerId());
      if (manifest.isEmpty()) {
        reject(step, event, lane, Resolution.RUNNER_UNKNOWN);
        continue;
      }
      final RunDecider.Dispatch dispatch =
          decider.create(
              event, binding.get(), manifest.get(), step.now(), next.get().getDecision());
      if (dispatch.run().isEmpty()) {
        step.decide(dispatch.decision());
        continue;
      }
      if (!lane.getQueue().isEmpty()
          && DispatchModes.effective(binding.get(), manifest.get()) == DispatchMode.INTERRUPT) {
        step.createCancelled(dispatch.run().get());
        continue;
      }
      lane.activate(step.start(dispatch.run().get()).getRunId());
    }
    step.state().closeIfIdle(lane);
  }

  private static void reject(
      final ConversationStep step,
      final HostEvent event,
      final Conversation.LaneState lane,
      final String reason) {
    step.decide(Decisions.rejected(event, lane.getBindingId(), reason, step.now()));
  }

  /**
   * Whether an unpulled steered event comes back as a follow-up (unless {@code on_unpulled=drop}).
   */
  private boolean followsUp(final String workspaceId, final String bindingId) {
    return bindings
        .apply(workspaceId, bindingId)
        .map(b -> b.getDispatchPolicy().getOnUnpulled() != OnUnpulled.DROP)
        .orElse(true);
  }
}
