package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.AgentBinding;
import dev.runledger.avro.AgentRunResult;
import dev.runledger.avro.CancelRequested;
import dev.runledger.avro.CancelRun;
import dev.runledger.avro.Decision;
import dev.runledger.avro.DispatchMode;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.OnUnpulled;
import dev.runledger.avro.QueuedEvent;
import dev.runledger.avro.RunCommand;
import dev.runledger.avro.RunCreated;
import dev.runledger.avro.RunFailed;
import dev.runledger.avro.RunNotice;
import dev.runledger.avro.RunTimedOut;
import dev.runledger.avro.RunnerManifest;
import dev.runledger.avro.SteerRun;
import dev.runledger.avro.SteeringDropped;
import dev.runledger.avro.SteeringItem;
import dev.runledger.avro.SteeringQueued;
import dev.runledger.schemas.topics.ConversationKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The dispatch policies of SPEC §5.4 as a pure state machine over one conversation's {@link
 * Conversation} (key: the routing key, i.e. the ingest key of its events). Given the state and an
 * event (with its binding resolution), a run notice or a passed deadline, it changes the state and
 * returns the {@link Effects} to write. It is the single writer of attempt-0 ledger records, so
 * each run's orchestrator sequence stays gapless.
 *
 * <p>Per (conversation, binding) a lane holds the active run, the events steered into it and the
 * FIFO of events waiting for their run. Events without a conversation and bindings in {@code
 * parallel} mode get a run at once and no lane. Every created run is an own run until the ledger
 * says it ended (a {@link RunNotice} of kind ENDED), which also carries its deadline and its
 * attempt-0 sequence counter.
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

  private static final String RUN_FAILED = "run.failed";

  private final RunDecider decider;
  private final Function<String, Optional<AgentBinding>> bindings;
  private final Function<String, Optional<RunnerManifest>> runners;

  /**
   * A policy that creates runs with {@code decider} and looks bindings and manifests up by id (for
   * runs created after an earlier one ended).
   */
  public DispatchPolicy(
      final RunDecider decider,
      final Function<String, Optional<AgentBinding>> bindings,
      final Function<String, Optional<RunnerManifest>> runners) {
    this.decider = decider;
    this.bindings = bindings;
    this.runners = runners;
  }

  /** Dispatches a new (deduplicated, valid) event resolved as {@code resolution}. */
  public Effects onEvent(
      final Conversation state,
      final HostEvent event,
      final Resolution resolution,
      final Instant now) {
    final Effects out = new Effects();
    if (resolution.outcome() != Resolution.Outcome.MATCHED) {
      out.decide(decider.decide(event, resolution, now).decision());
      return out;
    }
    final AgentBinding binding = resolution.binding();
    final RunnerManifest manifest = resolution.manifest();
    final String bindingId = binding.getBindingId();
    final boolean parallel =
        event.getConversationId() == null
            || DispatchModes.effective(binding, manifest) == DispatchMode.PARALLEL;
    final Conversation.LaneState lane = parallel ? null : lane(state, bindingId);
    if (lane == null || lane.getActiveRunId() == null) {
      final Optional<Conversation.Run> run =
          create(state, event, binding, manifest, now, Decision.RUN_CREATED, true, out);
      if (!parallel && run.isPresent()) {
        openLane(state, bindingId).setActiveRunId(run.get().getRunId());
      }
      return out;
    }
    final Conversation.Run active = run(state, lane.getActiveRunId()).orElseThrow();
    final String eventId = event.getEventId();
    switch (DispatchModes.effective(binding, manifest)) {
      case STEER -> {
        if (!active.getCancelling()
            && lane.getSteered().size() < Math.max(0, binding.getMaxSteeringQueue())) {
          steer(state, lane, active, event, manifest, now, out);
        } else {
          enqueue(lane, event, binding, now, out);
        }
      }
      case INTERRUPT -> {
        if (enqueue(lane, event, binding, now, out) && !active.getCancelling()) {
          cancel(
              ConversationKeys.ingestKey(event),
              active,
              SUPERSEDED,
              ORCHESTRATOR,
              false,
              now,
              out,
              true);
        }
      }
      case REJECT -> out.decide(Decisions.rejected(eventId, bindingId, CONVERSATION_BUSY, now));
      default -> enqueue(lane, event, binding, now, out);
    }
    return out;
  }

  /** Applies a run notice from the ledger or {@code run-control}. */
  public Effects onNotice(
      final Conversation state, final String key, final RunNotice notice, final Instant now) {
    final Effects out = new Effects();
    final Optional<Conversation.Run> found = run(state, notice.getRunId());
    if (found.isEmpty()) {
      return out;
    }
    final Conversation.Run run = found.get();
    switch (notice.getKind()) {
      case CLAIMED -> run.setClaimed(true);
      case CANCEL -> {
        if (!run.getCancelling()) {
          cancel(
              key,
              run,
              orDefault(notice.getReason(), "requested"),
              orDefault(notice.getRequestedBy(), "api"),
              notice.getClaimed(),
              now,
              out,
              false);
        }
      }
      default -> ended(state, key, run, Set.copyOf(notice.getPulledSteering()), now, out);
    }
    return out;
  }

  /**
   * The deadline of run {@code runId} passed: {@code RunTimedOut} (attempt 0) and {@code
   * CancelRun{timeout}}. The run ends for the conversation when the ledger's {@code RunTimedOut}
   * comes back as an ENDED notice.
   */
  public Effects onDeadline(
      final Conversation state, final String key, final String runId, final Instant now) {
    final Effects out = new Effects();
    final Optional<Conversation.Run> found = run(state, runId);
    if (found.isEmpty() || found.get().getTimedOut()) {
      return out;
    }
    final Conversation.Run run = found.get();
    run.setTimedOut(true);
    run.setCancelling(true);
    out.append(
        record(
            run,
            conversationKey(key, run),
            now,
            RunTimedOut.newBuilder()
                .setDeadlineAt(Instant.ofEpochMilli(run.getDeadlineMs()))
                .build()));
    out.control(cancelRun(run.getRunId(), TIMEOUT));
    return out;
  }

  private Optional<Conversation.Run> create(
      final Conversation state,
      final HostEvent event,
      final AgentBinding binding,
      final RunnerManifest manifest,
      final Instant now,
      final Decision kind,
      final boolean decide,
      final Effects out) {
    final RunDecider.Dispatch dispatch = decider.create(event, binding, manifest, now, kind);
    if (decide || dispatch.run().isEmpty()) {
      out.decide(dispatch.decision());
    }
    if (dispatch.run().isEmpty()) {
      return Optional.empty();
    }
    final RunDecider.CreatedRun created = dispatch.run().get();
    final long deadlineMs =
        ((RunCreated) created.created().getBody()).getDeadlineAt().toEpochMilli();
    final Conversation.Run run =
        new Conversation.Run(
            created.runId(),
            event.getEventId(),
            binding.getBindingId(),
            manifest.getRunnerId(),
            deadlineMs,
            created.created().getSequence() + 1);
    state.getRuns().add(run);
    out.start(created, deadlineMs);
    return Optional.of(run);
  }

  private void steer(
      final Conversation state,
      final Conversation.LaneState lane,
      final Conversation.Run active,
      final HostEvent event,
      final RunnerManifest manifest,
      final Instant now,
      final Effects out) {
    final SteeringItem item =
        SteeringItem.newBuilder()
            .setSourceEventId(event.getEventId())
            .setClaimedRunId(active.getRunId())
            .setRunnerId(manifest.getRunnerId())
            .setClaimedAt(now)
            .setInput(event.getInput())
            .setActor(event.getActor())
            .setConversation(RunContexts.conversation(event))
            .build();
    lane.getSteered().add(event);
    out.append(
        record(
            active,
            ConversationKeys.conversationKey(event),
            now,
            SteeringQueued.newBuilder().setItem(item).build()));
    out.control(
        RunCommand.newBuilder()
            .setRunId(active.getRunId())
            .setKind(SteerRun.newBuilder().setItem(item).build())
            .build());
    out.decide(
        Decisions.of(
            event.getEventId(),
            Decision.STEERED,
            active.getRunId(),
            lane.getBindingId(),
            null,
            now));
  }

  /** Queues {@code event} for its own run after the active one; false when the FIFO is full. */
  private static boolean enqueue(
      final Conversation.LaneState lane,
      final HostEvent event,
      final AgentBinding binding,
      final Instant now,
      final Effects out) {
    final String eventId = event.getEventId();
    final String bindingId = binding.getBindingId();
    if (lane.getQueue().size() >= Math.max(0, binding.getDispatchPolicy().getMaxQueue())) {
      out.decide(Decisions.rejected(eventId, bindingId, QUEUE_FULL, now));
      return false;
    }
    lane.getQueue()
        .add(QueuedEvent.newBuilder().setEvent(event).setDecision(Decision.ENQUEUED).build());
    out.decide(
        Decisions.of(
            eventId, Decision.ENQUEUED, RunIds.runId(eventId, bindingId), bindingId, null, now));
    return true;
  }

  /**
   * Records a cancel of {@code run}: {@code CancelRequested}, plus {@code CancelRun} when the
   * orchestrator itself asks ({@code send}), plus {@code run.failed{cancelled}} at attempt 0 when
   * no worker has claimed the run, which ends it.
   */
  private static void cancel(
      final String key,
      final Conversation.Run run,
      final String reason,
      final String requestedBy,
      final boolean claimedElsewhere,
      final Instant now,
      final Effects out,
      final boolean send) {
    run.setCancelling(true);
    final String conversationKey = conversationKey(key, run);
    out.append(
        record(
            run,
            conversationKey,
            now,
            CancelRequested.newBuilder().setReason(reason).setRequestedBy(requestedBy).build()));
    if (send) {
      out.control(cancelRun(run.getRunId(), reason));
    }
    if (!run.getClaimed() && !claimedElsewhere) {
      out.append(
          record(
              run,
              conversationKey,
              now,
              AgentRunResult.newBuilder()
                  .setType(RUN_FAILED)
                  .setPayload(
                      RunFailed.newBuilder()
                          .setCode(CANCELLED)
                          .setError(
                              "cancelled ("
                                  + reason
                                  + ", requested by "
                                  + requestedBy
                                  + ") before any worker claimed the run")
                          .setRetryable(false)
                          .build())
                  .build()));
    }
  }

  private void ended(
      final Conversation state,
      final String key,
      final Conversation.Run run,
      final Set<String> pulled,
      final Instant now,
      final Effects out) {
    state.getRuns().remove(run);
    out.deadlineRemoved(run.getRunId(), run.getDeadlineMs());
    final Conversation.LaneState lane = lane(state, run.getBindingId());
    if (lane == null || !run.getRunId().equals(lane.getActiveRunId())) {
      return;
    }
    final boolean followUp =
        bindings
            .apply(lane.getBindingId())
            .map(b -> b.getDispatchPolicy().getOnUnpulled() != OnUnpulled.DROP)
            .orElse(true);
    final List<QueuedEvent> followUps = new ArrayList<>();
    for (final HostEvent item : lane.getSteered()) {
      final String eventId = item.getEventId();
      if (pulled.contains(eventId)) {
        continue;
      }
      out.append(
          record(
              run,
              conversationKey(key, run),
              now,
              SteeringDropped.newBuilder().setSourceEventId(eventId).setReason(RUN_ENDED).build()));
      if (followUp) {
        followUps.add(
            QueuedEvent.newBuilder().setEvent(item).setDecision(Decision.FOLLOWUP).build());
        out.decide(
            Decisions.of(
                eventId,
                Decision.FOLLOWUP,
                RunIds.runId(eventId, lane.getBindingId()),
                lane.getBindingId(),
                null,
                now));
      }
    }
    lane.getSteered().clear();
    lane.setActiveRunId(null);
    followUps.addAll(lane.getQueue());
    lane.setQueue(followUps);
    startNext(state, key, lane, now, out);
  }

  /** Starts the lane's next queued event whose run can be created; drops the lane when idle. */
  private void startNext(
      final Conversation state,
      final String key,
      final Conversation.LaneState lane,
      final Instant now,
      final Effects out) {
    while (lane.getActiveRunId() == null && !lane.getQueue().isEmpty()) {
      final QueuedEvent next = lane.getQueue().remove(0);
      final HostEvent event = next.getEvent();
      final Optional<AgentBinding> binding =
          bindings.apply(lane.getBindingId()).filter(AgentBinding::getEnabled);
      if (binding.isEmpty()) {
        out.decide(
            Decisions.rejected(event.getEventId(), lane.getBindingId(), BINDING_REMOVED, now));
        continue;
      }
      final Optional<RunnerManifest> manifest = runners.apply(binding.get().getRunnerId());
      if (manifest.isEmpty()) {
        out.decide(
            Decisions.rejected(
                event.getEventId(), lane.getBindingId(), Resolution.RUNNER_UNKNOWN, now));
        continue;
      }
      final Optional<Conversation.Run> run =
          create(state, event, binding.get(), manifest.get(), now, next.getDecision(), false, out);
      if (run.isEmpty()) {
        continue;
      }
      lane.setActiveRunId(run.get().getRunId());
      if (!lane.getQueue().isEmpty()
          && DispatchModes.effective(binding.get(), manifest.get()) == DispatchMode.INTERRUPT) {
        cancel(key, run.get(), SUPERSEDED, ORCHESTRATOR, false, now, out, true);
      }
    }
    if (lane.getActiveRunId() == null && lane.getQueue().isEmpty() && lane.getSteered().isEmpty()) {
      state.getLanes().remove(lane);
    }
  }

  private static LedgerRecord record(
      final Conversation.Run run,
      final String conversationKey,
      final Instant now,
      final Object body) {
    final long sequence = run.getNextSequence();
    run.setNextSequence(sequence + 1);
    return LedgerRecord.newBuilder()
        .setRunId(run.getRunId())
        .setAttempt(0)
        .setSequence(sequence)
        .setTimestamp(now)
        .setProducer(ORCHESTRATOR)
        .setConversationKey(conversationKey)
        .setBody(body)
        .build();
  }

  private static RunCommand cancelRun(final String runId, final String reason) {
    return RunCommand.newBuilder()
        .setRunId(runId)
        .setKind(CancelRun.newBuilder().setReason(reason).setRequestedBy(ORCHESTRATOR).build())
        .build();
  }

  /** The conversation key of {@code run}'s records: the routing key unless it is the event id. */
  private static String conversationKey(final String key, final Conversation.Run run) {
    return key.equals(run.getEventId()) ? null : key;
  }

  private static Conversation.LaneState lane(final Conversation state, final String bindingId) {
    return state.lane(bindingId).orElse(null);
  }

  private static Conversation.LaneState openLane(final Conversation state, final String bindingId) {
    final Conversation.LaneState existing = lane(state, bindingId);
    if (existing != null) {
      return existing;
    }
    final Conversation.LaneState lane = new Conversation.LaneState(bindingId);
    state.getLanes().add(lane);
    return lane;
  }

  private static Optional<Conversation.Run> run(final Conversation state, final String runId) {
    return state.run(runId);
  }

  private static String orDefault(final String value, final String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
