package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.QueuedEvent;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunNoticeKind;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.SteeringItem;
import dev.runledger.schemas.topics.ConversationKeys;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The dispatch policies of ARCHITECTURE.md §6.4, applied to one conversation (key: the routing key,
 * i.e. the ingest key of its events). Each entry point takes the conversation's working copy {@link
 * Conversation} and one input — a new event with its binding resolution, a run notice, a passed
 * deadline — changes that copy in place and returns the {@link Effects} to write. It does no I/O
 * besides the binding and manifest look-ups it was given, and reads no clock: the same state, input
 * and time give the same state and effects.
 *
 * <p>An event without a conversation, or whose binding is in {@code parallel} mode, gets a run at
 * once and no lane, and the conversation does not keep the run: nothing there waits on it, so the
 * run tracker holds it from its {@code RunCreated} on ({@link LanelessRuns}). Otherwise its binding
 * has a lane in the conversation: with no active run, the event's run starts and becomes active;
 * with one, the binding's mode decides:
 *
 * <ul>
 *   <li>{@code steer}: the event is steered into the active run while that run is not being
 *       cancelled and holds fewer than {@code max_steering_queue} steered events; else it is
 *       queued.
 *   <li>{@code interrupt}: the event is queued and the active run, unless already being cancelled,
 *       is cancelled as {@value #SUPERSEDED}.
 *   <li>{@code reject}: the event is rejected as {@value #CONVERSATION_BUSY}.
 *   <li>{@code enqueue}: the event is queued.
 * </ul>
 *
 * A queued event waits in the lane's FIFO, which holds at most {@code max_queue} events (beyond, it
 * is rejected as {@value #QUEUE_FULL}), until the runs before it end ({@link LaneSuccession}).
 *
 * <p>Every run created in a lane is live in the conversation until the ledger says it ended (a
 * {@link RunNotice} of kind ENDED); the conversation keeps its deadline and its attempt-0 sequence
 * counter. With {@link RunDecider} (which writes {@code RunCreated}, sequence 1) this class is the
 * only writer of a lane run's attempt-0 ledger records, and {@link LanelessRuns} of the others'
 * after their {@code RunCreated}, so each run's orchestrator sequence stays gapless.
 */
public final class DispatchPolicy {
  /** Producer and {@code requested_by} of everything the orchestrator writes. */
  public static final String ORCHESTRATOR = RunDecider.PRODUCER;

  /** A binding in {@code reject} mode while its run in the conversation is active. */
  public static final String CONVERSATION_BUSY = "conversation.busy";

  /** The lane's FIFO holds {@code max_queue} events already. */
  public static final String QUEUE_FULL = "queue.full";

  /** A queued event's binding was deleted or disabled before its run could start. */
  public static final String BINDING_REMOVED = "binding.removed";

  /** Dispatching the event failed unexpectedly (a bug; the log and the DLQ have the details). */
  public static final String DISPATCH_FAILED = "dispatch.failed";

  /** Cancel reason when a newer event interrupts the active run. */
  public static final String SUPERSEDED = "superseded";

  /** Cancel reason when the run's deadline passed. */
  public static final String TIMEOUT = "timeout";

  /** {@code run.failed} code of a cancelled run. */
  public static final String CANCELLED = "cancelled";

  /** {@code SteeringDropped} reason for an item the run never pulled. */
  public static final String RUN_ENDED = "run.ended";

  private final RunDecider decider;
  private final LaneSuccession succession;

  /**
   * A policy that creates runs with {@code decider} and looks bindings up by workspace and id and
   * manifests by id (for runs created after an earlier one ended).
   */
  public DispatchPolicy(
      final RunDecider decider,
      final BiFunction<String, String, Optional<AgentBinding>> bindings,
      final Function<String, Optional<RunnerManifest>> runners) {
    this.decider = decider;
    this.succession = new LaneSuccession(decider, bindings, runners);
  }

  /** Dispatches a new (deduplicated, valid) event resolved as {@code resolution}. */
  public Effects onEvent(
      final Conversation state,
      final HostEvent event,
      final Resolution resolution,
      final Instant now) {
    final ConversationStep step =
        new ConversationStep(state, ConversationKeys.ingestKey(event), now);
    if (resolution.outcome() != Resolution.Outcome.MATCHED) {
      step.decide(decider.decide(event, resolution, now).decision());
      return step.effects();
    }
    final AgentBinding binding = resolution.binding();
    final RunnerManifest manifest = resolution.manifest();
    final DispatchMode mode = DispatchModes.effective(binding, manifest);
    if (event.getConversationId() == null || mode == DispatchMode.PARALLEL) {
      create(step, event, binding, manifest).ifPresent(step::startLaneless);
      return step.effects();
    }
    final String bindingId = binding.getBindingId();
    final Optional<Conversation.LaneState> lane = state.lane(bindingId);
    if (lane.isEmpty() || lane.get().getActiveRunId() == null) {
      create(step, event, binding, manifest)
          .map(step::start)
          .ifPresent(run -> state.openLane(bindingId).activate(run.getRunId()));
      return step.effects();
    }
    final Conversation.Run active = state.run(lane.get().getActiveRunId()).orElseThrow();
    switch (mode) {
      case STEER -> steerOrEnqueue(step, lane.get(), active, event, binding, manifest);
      case INTERRUPT -> {
        if (enqueue(step, lane.get(), event, binding) && !active.getCancelling()) {
          step.supersede(active);
        }
      }
      case REJECT -> step.decide(Decisions.rejected(event, bindingId, CONVERSATION_BUSY, now));
      default -> enqueue(step, lane.get(), event, binding);
    }
    return step.effects();
  }

  /** Applies a run notice from the ledger or {@code run-control}. */
  public Effects onNotice(
      final Conversation state, final String key, final RunNotice notice, final Instant now) {
    final ConversationStep step = new ConversationStep(state, key, now);
    state
        .run(notice.getRunId())
        .ifPresent(
            run -> {
              if (notice.getKind() == RunNoticeKind.ENDED) {
                succession.ended(step, run, Set.copyOf(notice.getPulledSteering()));
              } else {
                step.noticed(run, notice);
              }
            });
    return step.effects();
  }

  /**
   * The deadline of run {@code runId} passed: {@code RunTimedOut} (attempt 0) and {@code
   * CancelRun{timeout}}, once. The run ends for the conversation when the ledger's {@code
   * RunTimedOut} comes back as an ENDED notice.
   */
  public Effects onDeadline(
      final Conversation state, final String key, final String runId, final Instant now) {
    final ConversationStep step = new ConversationStep(state, key, now);
    state.run(runId).ifPresent(step::deadlinePassed);
    return step.effects();
  }

  /** Creates the run of {@code event} now, if it can be; the event's decision is its creation's. */
  private Optional<RunDecider.CreatedRun> create(
      final ConversationStep step,
      final HostEvent event,
      final AgentBinding binding,
      final RunnerManifest manifest) {
    final RunDecider.Dispatch dispatch =
        decider.create(event, binding, manifest, step.now(), Decision.RUN_CREATED);
    step.decide(dispatch.decision());
    return dispatch.run();
  }

  /** Steers {@code event} into {@code active} when the run can take it, else queues it. */
  private static void steerOrEnqueue(
      final ConversationStep step,
      final Conversation.LaneState lane,
      final Conversation.Run active,
      final HostEvent event,
      final AgentBinding binding,
      final RunnerManifest manifest) {
    if (active.getCancelling()
        || lane.getSteered().size() >= Math.max(0, binding.getMaxSteeringQueue())) {
      enqueue(step, lane, event, binding);
      return;
    }
    final SteeringItem item =
        SteeringItem.newBuilder()
            .setSourceEventId(event.getEventId())
            .setClaimedRunId(active.getRunId())
            .setRunnerId(manifest.getRunnerId())
            .setClaimedAt(step.now())
            .setInput(event.getInput())
            .setActor(event.getActor())
            .setConversation(RunContexts.conversation(event))
            .build();
    lane.steer(event);
    step.steer(active, item);
    step.decide(Decisions.steered(event, active.getRunId(), lane.getBindingId(), step.now()));
  }

  /** Queues {@code event} for its own run after the active one; false when the FIFO is full. */
  private static boolean enqueue(
      final ConversationStep step,
      final Conversation.LaneState lane,
      final HostEvent event,
      final AgentBinding binding) {
    final String bindingId = binding.getBindingId();
    if (lane.getQueue().size() >= Math.max(0, binding.getDispatchPolicy().getMaxQueue())) {
      step.decide(Decisions.rejected(event, bindingId, QUEUE_FULL, step.now()));
      return false;
    }
    lane.enqueue(QueuedEvent.newBuilder().setEvent(event).setDecision(Decision.ENQUEUED).build());
    step.decide(Decisions.awaiting(event, Decision.ENQUEUED, bindingId, step.now()));
    return true;
  }
}
