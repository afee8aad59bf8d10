package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.ConversationState;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.Lane;
import dev.runledger.avro.LedgerRecord;
import dev.runledger.avro.OwnRun;
import dev.runledger.avro.QueuedEvent;
import dev.runledger.avro.RunCreated;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The working copy of one conversation's {@link ConversationState}: the runs the orchestrator
 * created and has not seen end, and per binding a lane. {@link DispatchPolicy} changes it in place,
 * and only through the named methods below; everything it hands out is read-only. The topology
 * reads it from the store with {@link #from} and writes {@link #toState} back.
 */
public final class Conversation {
  private final List<Run> runs = new ArrayList<>();
  private final List<LaneState> lanes = new ArrayList<>();

  /** A run the orchestrator created and has not seen end. */
  public static final class Run {
    private final String runId;
    private final String eventId;
    private final String bindingId;
    private final String runnerId;
    private final long deadlineMs;
    private long nextSequence;
    private boolean claimed;
    private boolean cancelling;
    private boolean timedOut;

    private Run(final OwnRun own) {
      this.runId = own.getRunId();
      this.eventId = own.getEventId();
      this.bindingId = own.getBindingId();
      this.runnerId = own.getRunnerId();
      this.deadlineMs = own.getDeadlineMs();
      this.nextSequence = own.getNextSequence();
      this.claimed = own.getClaimed();
      this.cancelling = own.getCancelling();
      this.timedOut = own.getTimedOut();
    }

    /** The run {@code created} started; its next attempt-0 record follows {@code RunCreated}. */
    static Run startedBy(final RunDecider.CreatedRun created) {
      return new Run(ownRun(created.created()));
    }

    public String getRunId() {
      return runId;
    }

    public String getEventId() {
      return eventId;
    }

    public String getBindingId() {
      return bindingId;
    }

    public String getRunnerId() {
      return runnerId;
    }

    public long getDeadlineMs() {
      return deadlineMs;
    }

    public long getNextSequence() {
      return nextSequence;
    }

    public boolean getClaimed() {
      return claimed;
    }

    public boolean getCancelling() {
      return cancelling;
    }

    public boolean getTimedOut() {
      return timedOut;
    }

    /** The sequence of the run's next attempt-0 record; the counter moves past it. */
    long takeSequence() {
      return nextSequence++;
    }

    /** A worker claimed the run. */
    void markClaimed() {
      claimed = true;
    }

    /** A cancel of the run was recorded; it is not cancelled again. */
    void markCancelling() {
      cancelling = true;
    }

    /** The run's deadline passed and {@code RunTimedOut} was recorded. */
    void markTimedOut() {
      timedOut = true;
    }

    private OwnRun toOwnRun() {
      return OwnRun.newBuilder()
          .setRunId(runId)
          .setEventId(eventId)
          .setBindingId(bindingId)
          .setRunnerId(runnerId)
          .setDeadlineMs(deadlineMs)
          .setNextSequence(nextSequence)
          .setClaimed(claimed)
          .setCancelling(cancelling)
          .setTimedOut(timedOut)
          .build();
    }
  }

  /** The single-active state of one binding in the conversation. */
  public static final class LaneState {
    private final String bindingId;
    private String activeRunId;
    private final List<HostEvent> steered = new ArrayList<>();
    private final List<QueuedEvent> queue = new ArrayList<>();

    private LaneState(final String bindingId) {
      this.bindingId = bindingId;
    }

    public String getBindingId() {
      return bindingId;
    }

    /** The lane's active run, or null. */
    public String getActiveRunId() {
      return activeRunId;
    }

    /** Events steered into the active run, in order. */
    public List<HostEvent> getSteered() {
      return Collections.unmodifiableList(steered);
    }

    /** Events waiting for their run, FIFO. */
    public List<QueuedEvent> getQueue() {
      return Collections.unmodifiableList(queue);
    }

    /** Run {@code runId} becomes the lane's active run. */
    void activate(final String runId) {
      activeRunId = runId;
    }

    /** {@code event} was steered into the active run. */
    void steer(final HostEvent event) {
      steered.add(event);
    }

    /** {@code event} waits at the end of the queue. */
    void enqueue(final QueuedEvent event) {
      queue.add(event);
    }

    /** Takes the event at the head of the queue, if any. */
    Optional<QueuedEvent> takeNext() {
      return queue.isEmpty() ? Optional.empty() : Optional.of(queue.remove(0));
    }

    /**
     * The active run ended: no run is active, nothing is steered, and {@code followUps} wait ahead
     * of the queue.
     */
    void endActive(final List<QueuedEvent> followUps) {
      activeRunId = null;
      steered.clear();
      queue.addAll(0, followUps);
    }

    /** True when no run is active and no event is steered or queued. */
    boolean isIdle() {
      return activeRunId == null && queue.isEmpty() && steered.isEmpty();
    }
  }

  /** Live runs. */
  public List<Run> getRuns() {
    return Collections.unmodifiableList(runs);
  }

  /** Lanes. */
  public List<LaneState> getLanes() {
    return Collections.unmodifiableList(lanes);
  }

  /** The run {@code runId}, if live here. */
  public Optional<Run> run(final String runId) {
    return runs.stream().filter(r -> r.getRunId().equals(runId)).findFirst();
  }

  /** The lane of {@code bindingId}, if any. */
  public Optional<LaneState> lane(final String bindingId) {
    return lanes.stream().filter(l -> l.getBindingId().equals(bindingId)).findFirst();
  }

  /** True when nothing is held and the store key can be deleted. */
  public boolean isEmpty() {
    return runs.isEmpty() && lanes.isEmpty();
  }

  /** {@code run} is live here. */
  void add(final Run run) {
    runs.add(run);
  }

  /** {@code run} ended. */
  void remove(final Run run) {
    runs.remove(run);
  }

  /** The lane of {@code bindingId}, opened when there is none. */
  LaneState openLane(final String bindingId) {
    return lane(bindingId)
        .orElseGet(
            () -> {
              final LaneState lane = new LaneState(bindingId);
              lanes.add(lane);
              return lane;
            });
  }

  /** Drops {@code lane} when it is idle. */
  void closeIfIdle(final LaneState lane) {
    if (lane.isIdle()) {
      lanes.remove(lane);
    }
  }

  /**
   * The stored state of the run whose {@code RunCreated} (attempt 0) is {@code created}: live,
   * unclaimed, its next attempt-0 record following {@code RunCreated}.
   */
  public static OwnRun ownRun(final LedgerRecord created) {
    final RunCreated body = (RunCreated) created.getBody();
    return OwnRun.newBuilder()
        .setRunId(created.getRunId())
        .setEventId(body.getEventId())
        .setBindingId(body.getBindingId())
        .setRunnerId(body.getRunnerId())
        .setDeadlineMs(body.getDeadlineAt().toEpochMilli())
        .setNextSequence(created.getSequence() + 1)
        .build();
  }

  /** A working copy of {@code state}; empty for null. */
  public static Conversation from(final ConversationState state) {
    final Conversation conversation = new Conversation();
    if (state == null) {
      return conversation;
    }
    for (final OwnRun own : state.getRuns()) {
      conversation.runs.add(new Run(own));
    }
    for (final Lane stored : state.getLanes()) {
      final LaneState lane = new LaneState(stored.getBindingId());
      lane.activeRunId = stored.getActiveRunId();
      lane.steered.addAll(stored.getSteered());
      lane.queue.addAll(stored.getQueue());
      conversation.lanes.add(lane);
    }
    return conversation;
  }

  /** The record to store. */
  public ConversationState toState() {
    final List<Lane> stored = new ArrayList<>();
    for (final LaneState lane : lanes) {
      stored.add(
          Lane.newBuilder()
              .setBindingId(lane.getBindingId())
              .setActiveRunId(lane.getActiveRunId())
              .setSteered(List.copyOf(lane.steered))
              .setQueue(List.copyOf(lane.queue))
              .build());
    }
    return ConversationState.newBuilder()
        .setRuns(runs.stream().map(Run::toOwnRun).toList())
        .setLanes(stored)
        .build();
  }
}
