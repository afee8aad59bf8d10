package dev.runledger.orchestrator.dispatch;

import dev.runledger.avro.ConversationState;
import dev.runledger.avro.HostEvent;
import dev.runledger.avro.Lane;
import dev.runledger.avro.OwnRun;
import dev.runledger.avro.QueuedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mutable working copy of one conversation's {@link ConversationState} that {@link
 * DispatchPolicy} changes; read from and written back to the store as the Avro record.
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

    Run(
        final String runId,
        final String eventId,
        final String bindingId,
        final String runnerId,
        final long deadlineMs,
        final long nextSequence) {
      this.runId = runId;
      this.eventId = eventId;
      this.bindingId = bindingId;
      this.runnerId = runnerId;
      this.deadlineMs = deadlineMs;
      this.nextSequence = nextSequence;
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

    void setNextSequence(final long nextSequence) {
      this.nextSequence = nextSequence;
    }

    public boolean getClaimed() {
      return claimed;
    }

    void setClaimed(final boolean claimed) {
      this.claimed = claimed;
    }

    public boolean getCancelling() {
      return cancelling;
    }

    void setCancelling(final boolean cancelling) {
      this.cancelling = cancelling;
    }

    public boolean getTimedOut() {
      return timedOut;
    }

    void setTimedOut(final boolean timedOut) {
      this.timedOut = timedOut;
    }
  }

  /** The single-active state of one binding in the conversation. */
  public static final class LaneState {
    private final String bindingId;
    private String activeRunId;
    private final List<HostEvent> steered = new ArrayList<>();
    private List<QueuedEvent> queue = new ArrayList<>();

    LaneState(final String bindingId) {
      this.bindingId = bindingId;
    }

    public String getBindingId() {
      return bindingId;
    }

    public String getActiveRunId() {
      return activeRunId;
    }

    void setActiveRunId(final String activeRunId) {
      this.activeRunId = activeRunId;
    }

    /** Events steered into the active run, in order (mutable). */
    public List<HostEvent> getSteered() {
      return steered;
    }

    /** Events waiting for their run, FIFO (mutable). */
    public List<QueuedEvent> getQueue() {
      return queue;
    }

    void setQueue(final List<QueuedEvent> queue) {
      this.queue = new ArrayList<>(queue);
    }
  }

  /** Live runs (mutable). */
  public List<Run> getRuns() {
    return runs;
  }

  /** Lanes (mutable). */
  public List<LaneState> getLanes() {
    return lanes;
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

  /** A working copy of {@code state}; empty for null. */
  public static Conversation from(final ConversationState state) {
    final Conversation conversation = new Conversation();
    if (state == null) {
      return conversation;
    }
    for (final OwnRun own : state.getRuns()) {
      final Run run =
          new Run(
              own.getRunId(),
              own.getEventId(),
              own.getBindingId(),
              own.getRunnerId(),
              own.getDeadlineMs(),
              own.getNextSequence());
      run.setClaimed(own.getClaimed());
      run.setCancelling(own.getCancelling());
      run.setTimedOut(own.getTimedOut());
      conversation.runs.add(run);
    }
    for (final Lane stored : state.getLanes()) {
      final LaneState lane = new LaneState(stored.getBindingId());
      lane.setActiveRunId(stored.getActiveRunId());
      lane.steered.addAll(stored.getSteered());
      lane.queue.addAll(stored.getQueue());
      conversation.lanes.add(lane);
    }
    return conversation;
  }

  /** The record to store. */
  public ConversationState toState() {
    final List<OwnRun> ownRuns = new ArrayList<>();
    for (final Run run : runs) {
      ownRuns.add(
          OwnRun.newBuilder()
              .setRunId(run.getRunId())
              .setEventId(run.getEventId())
              .setBindingId(run.getBindingId())
              .setRunnerId(run.getRunnerId())
              .setDeadlineMs(run.getDeadlineMs())
              .setNextSequence(run.getNextSequence())
              .setClaimed(run.getClaimed())
              .setCancelling(run.getCancelling())
              .setTimedOut(run.getTimedOut())
              .build());
    }
    final List<Lane> stored = new ArrayList<>();
    for (final LaneState lane : lanes) {
      stored.add(
          Lane.newBuilder()
              .setBindingId(lane.getBindingId())
              .setActiveRunId(lane.getActiveRunId())
              .setSteered(List.copyOf(lane.getSteered()))
              .setQueue(List.copyOf(lane.getQueue()))
              .build());
    }
    return ConversationState.newBuilder().setRuns(ownRuns).setLanes(stored).build();
  }
}
